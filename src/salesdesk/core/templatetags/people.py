"""How a person is named on a page."""

from __future__ import annotations

from django import template

from salesdesk.core.people import name_of

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's first name, else their username; "—" for nobody (a draft not yet posted, a
    statement not yet decided). Written out as `first_name|default:user.username`, a missing user
    failed the whole page: a filter's argument is not forgiven as a variable is."""
    return name_of(user, nobody="—")
