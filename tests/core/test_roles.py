"""Roles and quoting read for several people at once give what each one's own reading gives."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.core.roles import Role, can_quote, remember_roles, role_of


def test_roles_of_several_people_are_read_in_two_queries(manager, assistant, warehouse, salesperson):
    fresh = list(User.objects.filter(pk__in=[manager.pk, assistant.pk, warehouse.pk, salesperson.pk]))
    nobody = User.objects.create_user("nobody")  # in no role group
    with CaptureQueriesContext(connection) as read:
        remember_roles([*fresh, nobody])
        roles = {user.username: role_of(user) for user in [*fresh, nobody]}
        quoting = {user.username for user in [*fresh, nobody] if can_quote(user)}
    assert len(read) == 2
    # The manager's role quotes; the assistant has the grant; the others have neither.
    assert quoting == {"manager", "assistant"}
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
        assert can_quote(user) == (user.username in quoting)


def test_a_person_who_left_no_longer_quotes(manager, assistant):
    assistant.is_active = False
    assistant.save()
    fresh = list(User.objects.filter(pk__in=[manager.pk, assistant.pk]))
    remember_roles(fresh)
    assert [can_quote(user) for user in fresh] == [user.pk == manager.pk for user in fresh]
    assert not User.objects.get(pk=assistant.pk).has_perm("core.quote_price")
