"""Roles and quoting read for several people at once give what each one's own reading gives."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.core.roles import Role, can_quote, remember_roles, role_of


def test_roles_of_several_people_are_read_in_one_query(manager, assistant, warehouse, salesperson):
    fresh = list(User.objects.filter(pk__in=[manager.pk, assistant.pk, warehouse.pk, salesperson.pk]))
    nobody = User.objects.create_user("nobody")  # in no role group
    with CaptureQueriesContext(connection) as read:
        remember_roles([*fresh, nobody])
        roles = {user.username: role_of(user) for user in [*fresh, nobody]}
        quoting = {user.username for user in [*fresh, nobody] if can_quote(user)}
    assert len(read) == 1
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


def test_quoting_read_for_several_people_is_what_has_perm_says(manager, assistant, warehouse):
    """Superusers, people who left, grants to the person and to a group: one read, Django's answers."""
    from django.contrib.auth.models import Group, Permission

    root = User.objects.create_superuser("root", password="a-long-test-password-1")
    gone_root = User.objects.create_superuser("gone-root", password="a-long-test-password-1", is_active=False)
    quoters = Group.objects.create(name="quoters")  # not a role: a group the manager made for quoting
    quoters.permissions.add(Permission.objects.get(codename="quote_price"))
    warehouse.groups.add(quoters)
    people = [manager, assistant, warehouse, root, gone_root]
    fresh = list(User.objects.filter(pk__in=[p.pk for p in people]))
    remember_roles(fresh)
    for user in fresh:
        assert can_quote(user) == User.objects.get(pk=user.pk).has_perm("core.quote_price"), user
    assert {u.username for u in fresh if can_quote(u)} == {"manager", "assistant", "warehouse", "root"}


def test_a_request_learns_its_role_and_permissions_in_one_read(assistant):
    fresh = User.objects.get(pk=assistant.pk)
    with CaptureQueriesContext(connection) as read:
        role = role_of(fresh)
        may = [fresh.has_perm(p) for p in ("customers.add_customer", "core.quote_price", "auth.add_user")]
        everything = fresh.get_all_permissions()
    assert len(read) == 1
    assert role == Role.ASSISTANT and may == [True, True, False]
    assert {"core.quote_price", "core.set_rebate"} <= everything


def test_permissions_read_in_one_go_are_djangos_own(manager, assistant, warehouse, salesperson):
    """For every role, with and without grants to the person, for someone who left and for a
    superuser: the same permissions as Django's model backend reads."""
    from django.contrib.auth.backends import ModelBackend

    from salesdesk.core.auth import RoleBackend

    left = User.objects.get(pk=salesperson.pk)
    left.is_active = False
    left.save()
    root = User.objects.create_superuser("root", password="a-long-test-password-1")
    for user in [manager, assistant, warehouse, left, root]:
        ours, django = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
        for ask in ("get_user_permissions", "get_group_permissions", "get_all_permissions"):
            assert getattr(RoleBackend(), ask)(ours) == getattr(ModelBackend(), ask)(django), (user, ask)
        assert RoleBackend().get_all_permissions(ours, obj=user) == set()
    assert RoleBackend().get_user_permissions(User.objects.get(pk=assistant.pk)) == {
        "core.quote_price",
        "core.set_rebate",
    }
