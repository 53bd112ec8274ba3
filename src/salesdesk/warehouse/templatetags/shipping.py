"""Where a shipment's COD money or signed note stands, as a badge."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def returned_state(state: str, due, on) -> str:
    """Returned (on which day), overdue or due (by which day), or a dash for nothing due back.

    A tag, not an included template: the courier log draws two a row, a hundred rows a page."""
    if state == "returned":
        return format_html('<span class="badge text-bg-success">{} {}</span>', _("returned"), _day(on))
    if state == "overdue":
        return format_html(
            '<span class="badge text-bg-danger" data-state="overdue">{} · {} {}</span>',
            _("overdue"),
            _("due"),
            _day(due),
        )
    if state == "due":
        return format_html('<span class="badge text-bg-warning">{} {}</span>', _("due"), _day(due))
    return format_html('<span class="text-muted">{}</span>', "—")


def _day(day) -> str:
    return f"{day:%m-%d}" if day else ""
