"""Commissions accrue inside the posting transaction of every outbound (events.OUTBOUND_POSTED)."""

from __future__ import annotations

from salesdesk.commissions.services import accrue
from salesdesk.core import events


def _outbound_posted(*, outbound, by, lines=None) -> None:
    accrue(outbound=outbound, by=by, lines=lines)


events.subscribe(events.OUTBOUND_POSTED, _outbound_posted)
