"""Reads about calls and follow-ups shared by pages and the API."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from salesdesk.calls.models import CallRecord, FollowUp, FollowUpStatus
from salesdesk.core.calendar import day_span
from salesdesk.core.db import CheckedInOrder
from salesdesk.core.roles import Role, owner_filter, role_of, sees_all_customers
from salesdesk.customers.models import Customer


def _visible_calls(user) -> Q:
    """Calls about a customer follow the customer's scope; a call from someone not yet a
    customer is visible to whoever answered it and to the assistants and managers who may
    turn it into one."""
    role = role_of(user)
    if role is None or role == Role.WAREHOUSE:
        return Q(answered_by=user)
    if sees_all_customers(user):  # the manager and finance: every customer's calls and every prospect's
        return Q()
    # The calls whose follow-ups the user owes are found by a subquery, not a join: joined, a call
    # came back once per follow-up, and the list had to be made DISTINCT over every row it matched.
    # The customers' calls likewise: each of the three is then found by its own index, where a
    # join to the customers made SQLite read all 145,000 calls to count a salesperson's 10,000.
    mine = Q(answered_by=user) | Q(pk__in=FollowUp.objects.filter(assigned_to=user).values("call_id"))
    prospects = Q(customer__isnull=True) if role == Role.ASSISTANT else Q(pk__in=[])
    return mine | prospects | Q(customer__in=Customer.objects.filter(owner_filter(user)).values("pk"))


def call_list(*, user, day: dt.date | None = None, q: str = "", to_cut: bool = False) -> QuerySet[CallRecord]:
    """The calls the user may see, newest first: selected and ordered only. A page adds what its
    rows show with `call_rows` (`core.pages.CutOnIds`): with the people joined in, SQLite walked
    the calls from the users who answered them and sorted every one of them to show 25.

    `to_cut`: the same calls, for cutting a page from: walked newest first (`CheckedInOrder`)."""
    visible = _visible_calls(user)
    qs = CallRecord.objects.filter(CheckedInOrder(visible) if to_cut and visible else visible)
    if day:
        start, end = day_span(day)
        qs = qs.filter(at__gte=start, at__lt=end)
    if q:
        qs = qs.filter(
            Q(company__icontains=q)
            | Q(contact_name__icontains=q)
            | Q(phone__icontains=q)
            | Q(need__icontains=q)
        )
    return qs.order_by("-at", "-id")


def call_rows(calls: QuerySet[CallRecord]) -> QuerySet[CallRecord]:
    """What a line of the call list shows: who answered, the customer and the follow-ups."""
    return calls.select_related("answered_by", "customer").prefetch_related("follow_ups")


def call_openable(*, user, pk: int) -> bool:
    """Whether the user may open the call: an order names the call it came from to everyone who
    sees the order, the warehouse included, who sees only the calls it answered."""
    return CallRecord.objects.filter(_visible_calls(user), pk=pk).exists()


def call_get_for_user(*, user, pk: int) -> CallRecord:
    call = (
        CallRecord.objects.filter(_visible_calls(user), pk=pk)
        .select_related("customer", "answered_by")
        .first()
    )
    if call is None:
        raise Http404(_("No such call."))
    return call


def follow_ups_for(*, user, open_only: bool = True) -> QuerySet[FollowUp]:
    """A person's follow-ups: assigned to them, or raised by them; managers see all."""
    qs = FollowUp.objects.all()
    if role_of(user) != Role.MANAGER:
        qs = qs.filter(Q(assigned_to=user) | Q(created_by=user))
    if open_only:
        qs = qs.filter(status=FollowUpStatus.OPEN)
    return qs.select_related("call", "call__customer", "assigned_to", "created_by").order_by(
        "due_on", "created_at"
    )


def follow_up_get_for_user(*, user, pk: int) -> FollowUp:
    follow_up = follow_ups_for(user=user, open_only=False).filter(pk=pk).first()
    if follow_up is None:
        raise Http404(_("No such follow-up."))
    return follow_up
