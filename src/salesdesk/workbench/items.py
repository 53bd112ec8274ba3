"""What a workbench is made of: sections of items, each item linking to where it is done."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS

TASKS = "tasks"  # things to do: each one also becomes a morning reminder
FIGURES = "figures"  # numbers to look at (the manager's day at a glance): no reminder
MAX_ITEMS = 100  # a section lists at most this many (reminders, API); the page behind it has the rest


# Stands for the argument in a reversed pattern: digits, so that int and str converters both take it.
_ARGUMENT = "9876543210123"


def link(name: str, argument) -> str:
    """`reverse(name, args=[argument])` for the hundreds of items of a workbench: Django matches
    the pattern anew on every call (a sixth of the manager's page), so each pattern is reversed
    once and the argument put in its place, quoted as `reverse` quotes it."""
    return _pattern(name, get_script_prefix()).replace(
        _ARGUMENT, quote(str(argument), safe=RFC3986_SUBDELIMS + "/~:@")
    )


@functools.cache
def _pattern(name: str, prefix: str) -> str:
    return reverse(name, args=[_ARGUMENT])


@dataclass
class Item:
    title: str
    detail: str
    url: str


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    kind: str = TASKS
    more: bool = False  # there is more than `items`: the page behind the section (`more_url`) has it
    more_url: str = ""

    def cut(self, limit: int) -> Section:
        """At most `limit` items; a section read with `limit + 1` so learns whether there are more."""
        if len(self.items) > limit:
            del self.items[limit:]
            self.more = True
        return self
