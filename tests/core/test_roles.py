"""Roles read for several people at once give what each one's own reading gives."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.core.roles import Role, remember_roles, role_of


def test_roles_of_several_people_are_read_in_one_query(manager, assistant, warehouse, salesperson):
    fresh = list(User.objects.filter(pk__in=[manager.pk, assistant.pk, warehouse.pk, salesperson.pk]))
    nobody = User.objects.create_user("nobody")  # in no role group
    with CaptureQueriesContext(connection) as read:
        remember_roles([*fresh, nobody])
        roles = {user.username: role_of(user) for user in [*fresh, nobody]}
    assert len(read) == 1
    assert roles == {
        "manager": Role.MANAGER,
        "assistant": Role.ASSISTANT,
        "warehouse": Role.WAREHOUSE,
        salesperson.username: Role.SALESPERSON,
        "nobody": None,
    }
    # The same answers as reading each one alone.
    for user in User.objects.filter(username__in=roles):
        assert role_of(user) == roles[user.username]
