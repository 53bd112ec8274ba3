"""Money as people read it: two places, thousands separated (1,453.60)."""

from decimal import Decimal, InvalidOperation

from django import template

from salesdesk.core.money import to_amount

register = template.Library()


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{to_amount(Decimal(str(value))):,}"
    except (InvalidOperation, ValueError):
        return str(value)
