"""What a workbench is made of: sections of items, each item linking to where it is done."""

from __future__ import annotations

from dataclasses import dataclass, field

TASKS = "tasks"  # things to do: each one also becomes a morning reminder
FIGURES = "figures"  # numbers to look at (the manager's day at a glance): no reminder


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
