"""An order's status as the badge every list and page shows."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def order_status(order) -> str:
    """A filter, not an included template: the order list and the sales register draw one a row."""
    return format_html(
        '<span class="badge sd-status sd-status-{}">{}</span>', order.status, order.get_status_display()
    )
