"""What GET /api/v1/workbench answers: the caller's sections, and this morning's reminders."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ItemOut(Schema):
    title: str
    detail: str
    url: str = Field(..., description="The page where it is done (a path on this server).")


class SectionOut(Schema):
    key: str = Field(..., description="Stable name of the section, e.g. orders_on_hold.")
    title: str
    kind: str = Field(..., description="tasks (things to do) or figures (numbers to look at).")
    items: list[ItemOut] = Field(..., description="At most 100, the most pressing first.")
    more: bool = Field(..., description="True when there are more than `items`: `more_url` lists them all.")
    more_url: str = Field(..., description="The page with the section's whole list (a path), or empty.")


class ReminderOut(Schema):
    id: int
    section: str
    title: str
    detail: str
    url: str
    done: bool


class WorkbenchOut(Schema):
    day: dt.date
    sections: list[SectionOut]
    reminders: list[ReminderOut] = Field(..., description="What `salesdesk daily` found this morning.")
