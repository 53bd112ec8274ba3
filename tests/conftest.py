"""Fixtures shared by every test: one user per role, and a logged-in client for each."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from salesdesk.core.models import UserProfile
from salesdesk.core.roles import Role
from tests.log_hygiene import pytest_sessionfinish, pytest_sessionstart  # noqa: F401  (the run's log guard)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 is right for people and slow for a test suite that creates hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: Role, *, grants: tuple[str, ...] = (), display: str = "") -> User:
    from django.contrib.auth.models import Permission

    user = User.objects.create_user(
        username=username, password="a-long-test-password-1", first_name=display or username
    )
    user.groups.add(Group.objects.get(name=role.value))
    UserProfile.objects.create(user=user, display_name=display or username)
    for codename in grants:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="core", codename=codename))
    return User.objects.get(pk=user.pk)  # fresh, so permission caches start empty


@pytest.fixture
def manager(db) -> User:
    return make_user("manager", Role.MANAGER, display="陆总")


@pytest.fixture
def assistant(db) -> User:
    return make_user("assistant", Role.ASSISTANT, grants=("quote_price", "set_rebate"), display="李敏")


@pytest.fixture
def other_assistant(db) -> User:
    return make_user("assistant2", Role.ASSISTANT, display="陈新")


@pytest.fixture
def salesperson(db) -> User:
    return make_user("sales", Role.SALESPERSON, display="王强")


@pytest.fixture
def other_salesperson(db) -> User:
    return make_user("sales2", Role.SALESPERSON, display="赵磊")


@pytest.fixture
def warehouse(db) -> User:
    return make_user("warehouse", Role.WAREHOUSE, display="张师傅")


@pytest.fixture
def finance(db) -> User:
    return make_user("finance", Role.FINANCE, display="刘会计")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    # As the login page does: the session's clocks start now, so the first page writes nothing.
    session = client.session
    session["logged_in_at"] = session["last_seen"] = int(time.time())
    session.save()
    return client
