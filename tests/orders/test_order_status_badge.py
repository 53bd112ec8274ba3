"""An order's status badge, as every list and page draws it."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from salesdesk.orders.models import OrderStatus, SalesOrder


def test_the_badge_names_the_status_in_the_pages_language_with_its_class():
    order = SalesOrder(status=OrderStatus.ON_HOLD)
    drawn = Template("{% load order_status %}{{ o|order_status }}")
    with translation.override("en"):
        english = drawn.render(Context({"o": order}))
    with translation.override("zh-hans"):
        chinese = drawn.render(Context({"o": order}))
        label = str(OrderStatus.ON_HOLD.label)

    assert english == '<span class="badge sd-status sd-status-on_hold">On hold</span>'
    assert chinese == f'<span class="badge sd-status sd-status-on_hold">{label}</span>' != english
