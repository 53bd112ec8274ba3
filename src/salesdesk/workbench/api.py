"""The workbench over the JSON API (v1): what needs doing now for the token's user.

The sections are the same as on the page, so the scope is too: an assistant or salesperson
sees only their own customers, and the warehouse gets its queue only, never money.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from salesdesk.core.schemas import ERRORS
from salesdesk.workbench.schemas import WorkbenchOut
from salesdesk.workbench.selectors import reminders_of, workbench_items

router = Router(tags=["workbench"])


@router.get("/workbench", response={200: WorkbenchOut, **ERRORS})
def workbench(request: HttpRequest):
    """The caller's workbench: sections with their items, and this morning's reminders."""
    today = timezone.localdate()
    return {
        "day": today,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "kind": s.kind,
                "items": s.items,
                "more": s.more,
                "more_url": s.more_url,
            }
            for s in workbench_items(user=request.user)
        ],
        "reminders": [
            {
                "id": r.pk,
                "section": r.section,
                "title": r.title,
                "detail": r.detail,
                "url": r.url,
                "done": r.seen_at is not None,
            }
            for r in reminders_of(user=request.user, day=today)
        ],
    }
