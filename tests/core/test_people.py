"""A person reads the same on every page, export and audit line."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template

from salesdesk.core.people import name_of


@pytest.mark.parametrize(
    ("first_name", "username", "expected"),
    [("王芳", "wangfang", "王芳"), ("", "wangfang", "wangfang")],
)
def test_a_person_is_their_first_name_else_their_username(first_name, username, expected):
    user = User(first_name=first_name, username=username)

    assert name_of(user) == expected
    assert Template("{% load people %}{{ user|person }}").render(Context({"user": user})) == expected


def test_nobody_is_named_as_the_caller_says():
    assert name_of(None) == ""
    assert name_of(None, nobody="—") == "—"
    assert Template("{% load people %}{{ user|person }}").render(Context({"user": None})) == "—"
