"""The hook list through which apps to the right react to events of apps to their left.

Posting an outbound (warehouse) must also touch receivables and commissions, which the
warehouse may not import. Those apps subscribe here when they load; the warehouse calls
`emit` inside its posting transaction, so every effect commits or none does. The list of
subscribers is explicit and typed: no Django signals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

# event name -> subscribers, in the order they subscribed
_SUBSCRIBERS: dict[str, list[Callable[..., Any]]] = defaultdict(list)

OUTBOUND_POSTED = "outbound.posted"  # kwargs: outbound, by, and lines when the poster has them at hand
ORDER_CHANGED = "order.changed"  # kwargs: order, by — lines replaced, or the order cancelled


def subscribe(event: str, handler: Callable[..., Any]) -> None:
    if handler not in _SUBSCRIBERS[event]:
        _SUBSCRIBERS[event].append(handler)


def emit(event: str, **kwargs: Any) -> None:
    """Call every subscriber; an exception rolls back the caller's transaction."""
    for handler in list(_SUBSCRIBERS[event]):
        handler(**kwargs)


def subscribers(event: str) -> list[Callable[..., Any]]:
    return list(_SUBSCRIBERS[event])
