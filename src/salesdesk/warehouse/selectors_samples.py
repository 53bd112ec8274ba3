"""Reads of the sample dispatch record, scoped by customer like everything else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from salesdesk.core.roles import scope_to_user
from salesdesk.warehouse.models import SampleDispatch, SampleLine, SampleStatus

OPEN_STATUSES = [SampleStatus.REQUESTED, SampleStatus.SENT_TO_FACTORY, SampleStatus.DISPATCHED]
# A filter value besides the statuses: everything still on its way.
OPEN = "open"


@dataclass(frozen=True)
class SampleFilter:
    q: str = ""
    status: str = ""
    customer: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _scoped(user) -> QuerySet[SampleDispatch]:
    return scope_to_user(SampleDispatch.objects.all(), user, "customer")


def sample_list(*, user, filters: SampleFilter | None = None) -> QuerySet[SampleDispatch]:
    """Samples still on their way first, the longest waiting on top; then the finished ones, newest first."""
    filters = filters or SampleFilter()
    qs = _scoped(user)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(customer__code__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(tracking_number__icontains=q)
            | Q(lines__product__model_code__icontains=q)
        ).distinct()
    if filters.status == OPEN:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.customer:
        qs = qs.filter(customer__code=filters.customer.strip().upper())
    if filters.date_from:
        qs = qs.filter(requested_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(requested_on__lte=filters.date_to)
    is_open = Q(status__in=OPEN_STATUSES)
    return (
        qs.annotate(
            closed_rank=Case(When(is_open, then=Value(0)), default=Value(1), output_field=IntegerField()),
            open_since=Case(When(is_open, then=F("requested_on"))),
            closed_since=Case(When(~is_open, then=F("requested_on"))),
        )
        .select_related("customer", "requested_by", "carrier", "created_by")
        .prefetch_related("lines__product")
        .order_by("closed_rank", F("open_since").asc(), F("closed_since").desc(), "id")
    )


def sample_get_for_user(*, user, pk: int) -> SampleDispatch:
    """The sample if its customer is the user's; 404 otherwise (never 403: no hint)."""
    if not 1 <= pk <= 2**62:  # cannot name a row, and would overflow the database's integer
        raise Http404(_("No such sample."))
    sample = (
        _scoped(user)
        .select_related("customer", "requested_by", "carrier", "created_by")
        .filter(pk=pk)
        .first()
    )
    if sample is None:
        raise Http404(_("No such sample."))
    return sample


def sample_lines(sample: SampleDispatch) -> QuerySet[SampleLine]:
    return sample.lines.select_related("product").order_by("id")
