"""Reads about calls and follow-ups shared by pages and the API."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from salesdesk.calls.models import CallRecord, FollowUp, FollowUpStatus
from salesdesk.core.roles import Role, owner_filter, role_of


def _visible_calls(user) -> Q:
    """Calls about a customer follow the customer's scope; a call from someone not yet a
    customer is visible to whoever answered it and to the assistants and managers who may
    turn it into one."""
    role = role_of(user)
    mine = Q(answered_by=user) | Q(follow_ups__assigned_to=user)
    if role is None or role == Role.WAREHOUSE:
        return Q(answered_by=user)
    prospects = (
        Q(customer__isnull=True) if role in {Role.ASSISTANT, Role.MANAGER, Role.FINANCE} else Q(pk__in=[])
    )
    return mine | prospects | (Q(customer__isnull=False) & owner_filter(user, "customer"))


def call_list(*, user, day: dt.date | None = None, q: str = "") -> QuerySet[CallRecord]:
    qs = CallRecord.objects.filter(_visible_calls(user)).distinct()
    if day:
        qs = qs.filter(at__date=day)
    if q:
        qs = qs.filter(
            Q(company__icontains=q)
            | Q(contact_name__icontains=q)
            | Q(phone__icontains=q)
            | Q(need__icontains=q)
        )
    return qs.select_related("answered_by", "customer").prefetch_related("follow_ups").order_by("-at", "-id")


def call_get_for_user(*, user, pk: int) -> CallRecord:
    call = (
        CallRecord.objects.filter(_visible_calls(user), pk=pk)
        .distinct()
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
