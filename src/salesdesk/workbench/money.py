"""The workbench's money sections: receivables falling due, invoices, statements, receipts for
finance, write-offs to approve, and month-end in its window (SPEC section 9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.core.money import to_amount
from salesdesk.core.people import name_of
from salesdesk.core.roles import scope_to_user
from salesdesk.customers.models import Customer
from salesdesk.receivables import selectors as ar
from salesdesk.receivables import services_credits as credits
from salesdesk.receivables.models import StatementStatus
from salesdesk.workbench.items import MAX_ITEMS, Item, Section, link

DUE_SOON_DAYS = 7  # receivables falling due within a week are chased before they are late
INVOICE_NOTICE_DAYS = 3  # an invoice is listed three days before the customer's invoice day
STATEMENT_SIGN_BACK_DAYS = 14  # a statement not signed back two weeks after sending is chased
MONTH_END_WINDOW = (3, 5)  # last three days of a month, first five of the next


def _amount(value: Decimal) -> str:
    return f"{to_amount(value):,}"


def receivables_due(user, *, limit: int, today: dt.date | None = None) -> Section:
    """Open sales overdue or falling due within a week, per customer, the salesperson named; the
    longest overdue first, at most a page of them (the collection page has them all)."""
    section = Section("receivables_due", str(_("Receivables falling due or overdue")))
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    overdue = Q(due_date__lt=today)
    rows = list(
        scope_to_user(ar.open_items(), user, "customer")
        .filter(due_date__lte=soon)
        .values("customer_id")
        .annotate(
            overdue=Sum("amount", filter=overdue),
            due=Sum("amount", filter=~overdue),
            since=Min("due_date", filter=overdue),
            first_due=Min("due_date"),
        )
        .order_by(F("since").asc(nulls_last=True), "first_due", "customer_id")[: limit + 1]
    )
    # Only what the items show: a hundred whole customers and salespeople cost 3 ms to build.
    customers = (
        Customer.objects.select_related("salesperson")
        .only("code", "name", "salesperson__first_name", "salesperson__username")
        .in_bulk([row["customer_id"] for row in rows])
    )
    overdue_since, due_soon = (
        str(_("%(amount)s overdue since %(since)s")),
        str(_("%(amount)s due within a week")),
    )
    for row in rows:
        customer = customers[row["customer_id"]]
        seller = name_of(customer.salesperson, nobody="—")
        parts = []
        if row["overdue"]:
            parts.append(
                overdue_since
                % {"amount": _amount(ar.cents(row["overdue"])), "since": f"{row['since']:%Y-%m-%d}"}
            )
        if row["due"]:
            parts.append(due_soon % {"amount": _amount(ar.cents(row["due"]))})
        section.items.append(
            Item(
                f"{customer} · {seller}",
                " · ".join(parts),
                link("receivables:customer-ar", customer.code),
            )
        )
    return section


def invoices_due(user, *, limit: int, today: dt.date | None = None) -> Section:
    """Invoices to issue by the customers' days this month, and invoices not yet with the customer."""
    section = Section("invoices_due", str(_("Invoices to send")))
    today = today or timezone.localdate()
    notice = today + dt.timedelta(days=INVOICE_NOTICE_DAYS)
    due = ar.invoices_due(user, today.year, today.month, due_by=notice)
    for row in due[: limit + 1]:
        section.items.append(
            Item(
                str(row.customer),
                str(_("Invoice due %(day)s: %(amount)s over %(n)s outbounds"))
                % {"day": f"{row.due_on:%m-%d}", "amount": _amount(row.amount), "n": row.outbounds},
                link("receivables:invoice-create", row.customer.code),
            )
        )
    late = ar.invoice_list(user).filter(received_on__isnull=True, must_reach_by__lte=today)
    fields = ("pk", "number", "customer__name", "mailed_on", "must_reach_by")  # plain rows: up to a hundred
    for invoice in late.order_by("must_reach_by").values(*fields)[: limit + 1]:
        mailed = invoice["mailed_on"]
        state = _("mailed %(d)s") % {"d": f"{mailed:%m-%d}"} if mailed else _("not mailed")
        section.items.append(
            Item(
                f"{invoice['number']} {invoice['customer__name']}",
                str(_("Must reach the customer by %(d)s; %(state)s"))
                % {"d": f"{invoice['must_reach_by']:%Y-%m-%d}", "state": state},
                link("receivables:invoice-detail", invoice["pk"]),
            )
        )
    return section


def statements_open(user, *, today: dt.date | None = None) -> Section:
    """Statements drawn up but not sent, and sent ones not signed back in two weeks."""
    section = Section("statements", str(_("Statements to send or to get signed back")))
    today = today or timezone.localdate()
    late = today - dt.timedelta(days=STATEMENT_SIGN_BACK_DAYS)
    for statement in ar.statements_waiting(user)[:100]:
        if statement.status == StatementStatus.SENT and statement.sent_on > late:
            continue
        if statement.status == StatementStatus.DRAFTED:
            detail = str(_("Drawn up, not sent yet"))
        else:
            detail = str(_("Sent %(d)s, not signed back")) % {"d": f"{statement.sent_on:%Y-%m-%d}"}
        section.items.append(
            Item(
                f"{statement.number} {statement.customer.name}",
                detail,
                link("receivables:statement-detail", statement.number),
            )
        )
    return section


def receipts_for_finance(user, *, limit: int) -> Section:
    """Receipts that differ or came in late, and money not yet with finance (消账)."""
    section = Section("receipts_for_finance", str(_("Receipts not yet reconciled with finance")))
    fields = (
        "number",
        "customer__name",
        "amount",
        "difference",
        "note",
        "entered_late",
        "reached_finance_on",
    )
    flagged = ar.receipts_for_finance(user)
    waiting = ar.receipts_not_reconciled(user).exclude(pk__in=flagged.values("pk"))
    # Plain rows: two hundred receipts as objects, with their customers, clerks and carriers,
    # cost more than the rest of the workbench together. The waiting ones only fill the page.
    receipts = list(flagged.values(*fields)[: limit + 1])
    if len(receipts) <= limit:
        receipts += waiting.values(*fields)[: limit + 1 - len(receipts)]
    differs, late, not_with_finance = (
        str(_("differs by %(d)s: %(note)s")),
        str(_("entered late")),
        str(_("money not yet with finance")),
    )  # translated once, not for each of a hundred receipts
    for receipt in receipts:
        reasons = []
        if receipt["difference"]:
            reasons.append(differs % {"d": _amount(receipt["difference"]), "note": receipt["note"]})
        if receipt["entered_late"]:
            reasons.append(late)
        if receipt["reached_finance_on"] is None:
            reasons.append(not_with_finance)
        section.items.append(
            Item(
                f"{receipt['number']} {receipt['customer__name']} {_amount(receipt['amount'])}",
                " · ".join(reasons),
                link("receivables:receipt-detail", receipt["number"]),
            )
        )
    return section


def write_offs_to_approve(user) -> Section:
    """Proposed write-offs the user may approve: the manager any but their own, finance those
    within the write-off limit (with what was written off of the same sales before)."""
    section = Section("write_offs", str(_("Write-offs waiting for approval")))
    if not credits.may_decide_write_offs(user):
        return section
    pending = list(ar.write_offs_pending(user).prefetch_related("write_off_items")[:MAX_ITEMS])
    counted = credits.counted_against_limits(pending)  # for the limit, read for all at once
    for write_off in pending:
        if credits.write_off_refusal(write_off=write_off, by=user, counted=counted[write_off.pk]):
            continue
        amount = sum((item.amount for item in write_off.write_off_items.all()), Decimal("0"))
        section.items.append(
            Item(
                f"{write_off.customer} {_amount(amount)}",
                write_off.reason,
                link("receivables:write-off-detail", write_off.pk),
            )
        )
    return section


def month_end(user, *, today: dt.date | None = None) -> Section:
    """In the last days of a month and the first of the next: the cumulative AR detail to hand in."""
    section = Section("month_end", str(_("Month-end")))
    today = today or timezone.localdate()
    next_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    days_left = (next_month - today).days
    if days_left <= MONTH_END_WINDOW[0]:
        month = today.replace(day=1)
    elif today.day <= MONTH_END_WINDOW[1]:
        month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    else:
        return section
    section.items.append(
        Item(
            str(_("Cumulative AR detail for %(m)s")) % {"m": f"{month:%Y-%m}"},
            str(_("Hand it to finance, then chase what the collection list shows.")),
            f"{reverse('receivables:month-end')}?month={month:%Y-%m}",
        )
    )
    if month < today.replace(day=1) and user.has_perm("commissions.add_commissionstatement"):
        section.items.append(
            Item(
                str(_("Commission statements for %(m)s")) % {"m": f"{month:%Y-%m}"},
                str(_("Gather the paid commissions per payee and submit them to finance.")),
                reverse("commissions:statement-list"),
            )
        )
    unsent = ar.statement_list(user).filter(status=StatementStatus.DRAFTED).count()
    if unsent:
        section.items.append(
            Item(
                str(_("Statements not yet sent")),
                str(_("%(n)s drawn up")) % {"n": unsent},
                reverse("receivables:statement-list"),
            )
        )
    return section


def commission_statements(user) -> Section:
    """Finance approves and pays the month's commission statements; the salesperson confirms
    with the customer once paid (款到才付佣金, then 通知销售人员与客户确认)."""
    from salesdesk.commissions import selectors as commissions
    from salesdesk.commissions.models import StatementStatus as Commission

    section = Section("commission_statements", str(_("Commission statements")))
    statements = commissions.statement_list(user)
    waiting = []
    if user.has_perm("core.approve_commission"):
        waiting += [(s, _("to approve")) for s in statements.filter(status=Commission.SUBMITTED)[:100]]
    if user.has_perm("commissions.pay_commission"):
        waiting += [(s, _("approved, to pay")) for s in statements.filter(status=Commission.APPROVED)[:100]]
    for statement in commissions.paid_not_confirmed(user)[:100]:
        if user.pk in {statement.customer.salesperson_id, statement.customer.assistant_id}:
            waiting.append((statement, _("paid: confirm with the customer that it arrived")))
    for statement, what in waiting:
        section.items.append(
            Item(
                f"{statement.number} {statement.customer.name} · "
                f"{statement.payee_name} {_amount(statement.total)}",
                str(what),
                link("commissions:statement-detail", statement.number),
            )
        )
    return section
