"""The books checked against themselves: `salesdesk check` runs this on any database.

Every rule here is one that the services keep and the database mostly enforces; this is the
independent count that says whether they held — after a crash, a restore, or a bug. Each
check is a handful of GROUP BY queries, so it runs on years of data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from salesdesk.commissions.models import (
    CommissionAccrual,
    CommissionPayout,
    CommissionStatement,
    StatementLine,
)
from salesdesk.core.models import Sequence
from salesdesk.core.money import line_amount
from salesdesk.customers.models import Customer
from salesdesk.orders.models import SalesOrder
from salesdesk.receivables.models import (
    Allocation,
    CodWaiting,
    InvoiceItem,
    OpenItem,
    Receipt,
    ReceiptSlip,
    Statement,
    ToInvoice,
    UnappliedReceipt,
)
from salesdesk.receivables.selectors import cents, ledger_rows
from salesdesk.warehouse.models import (
    Outbound,
    OutboundKind,
    OutboundLine,
    OutboundStatus,
    Shipment,
    StockLevel,
    StockMove,
)


@dataclass(frozen=True)
class Problem:
    area: str
    what: str

    def __str__(self) -> str:
        return f"[{self.area}] {self.what}"


def _sums(qs, key: str, column: str = "amount") -> dict:
    return {k: cents(v) for k, v in qs.values(key).annotate(t=Sum(column)).values_list(key, "t")}


def check_stock() -> list[Problem]:
    problems = []
    moved = {
        k: Decimal(v)
        for k, v in StockMove.objects.values("product")
        .annotate(t=Sum("quantity"))
        .values_list("product", "t")
    }
    levels = dict(StockLevel.objects.values_list("product", "on_hand"))
    for product in set(moved) | set(levels):
        have, total = levels.get(product, Decimal("0")), moved.get(product, Decimal("0"))
        if have.quantize(Decimal("0.001")) != total.quantize(Decimal("0.001")):
            problems.append(
                Problem("stock", f"product {product}: on hand {have} but its moves add up to {total}")
            )
        if have < 0:
            problems.append(Problem("stock", f"product {product}: on hand {have} is below zero"))
    return problems


def check_outbounds() -> list[Problem]:
    problems = []
    posted = Outbound.objects.filter(status=OutboundStatus.POSTED)
    lines = _sums(OutboundLine.objects.filter(outbound__status=OutboundStatus.POSTED), "outbound")
    for pk, number, kind, amount in posted.values_list("pk", "number", "kind", "amount"):
        if kind == OutboundKind.BAD_DEBT:
            continue
        expected = lines.get(pk, Decimal("0.00")) * (1 if kind == OutboundKind.SALE else -1)
        if amount != expected:
            problems.append(
                Problem("outbounds", f"{number}: amount {amount} but its lines add up to {expected}")
            )
    for number, kind, amount in posted.values_list("number", "kind", "amount"):
        if (kind == OutboundKind.SALE) != (amount >= 0):
            problems.append(Problem("outbounds", f"{number}: a {kind} of {amount} has the wrong sign"))
    return problems


def check_allocations() -> list[Problem]:
    problems = []
    wrong = Allocation.objects.exclude(sale__status=OutboundStatus.POSTED, sale__kind=OutboundKind.SALE)
    for allocation in wrong.select_related("sale")[:50]:
        problems.append(
            Problem("allocations", f"allocation {allocation.pk} settles {allocation.sale}, not a posted sale")
        )
    credits = Allocation.objects.filter(credit__isnull=False).exclude(credit__status=OutboundStatus.POSTED)
    for allocation in credits[:50]:
        problems.append(Problem("allocations", f"allocation {allocation.pk} comes from an unposted credit"))
    sides = [
        ("sale", Outbound.objects.all(), lambda o: o.amount),
        ("receipt", Receipt.objects.all(), lambda r: r.amount),
        ("credit", Outbound.objects.exclude(kind=OutboundKind.SALE), lambda o: -o.amount),
    ]
    for side, documents, limit in sides:
        used = _sums(Allocation.objects.filter(**{f"{side}__isnull": False}), side)
        for document in documents.filter(pk__in=list(used)):
            if used[document.pk] > limit(document):
                problems.append(
                    Problem(
                        "allocations", f"{document}: {used[document.pk]} settled against {limit(document)}"
                    )
                )
    return problems


def check_open_items() -> list[Problem]:
    """What the database keeps open equals what the documents leave open, item by item."""
    problems = []
    posted = Outbound.objects.filter(status=OutboundStatus.POSTED)
    settled = _sums(Allocation.objects.all(), "sale")
    applied = _sums(Allocation.objects.filter(credit__isnull=False), "credit")
    expected = {}
    for pk, kind, amount in posted.values_list("pk", "kind", "amount").iterator(chunk_size=5000):
        left = amount - settled.get(pk, Decimal("0.00")) + applied.get(pk, Decimal("0.00"))
        if (kind == OutboundKind.SALE and left > 0) or (kind != OutboundKind.SALE and left < 0):
            expected[pk] = left
    kept = {pk: cents(v) for pk, v in OpenItem.objects.values_list("outbound_id", "amount")}
    used = _sums(Allocation.objects.filter(receipt__isnull=False), "receipt")
    unapplied = {}
    for pk, amount in Receipt.objects.values_list("pk", "amount").iterator(chunk_size=5000):
        left = amount - used.get(pk, Decimal("0.00"))
        if left > 0:
            unapplied[pk] = left
    kept_receipts = {pk: cents(v) for pk, v in UnappliedReceipt.objects.values_list("receipt_id", "amount")}
    problems += _kept_against_documents("open items", "outbound", kept, expected, "kept open")
    problems += _kept_against_documents("open items", "receipt", kept_receipts, unapplied, "kept open")
    return problems


def _kept_against_documents(check: str, what: str, kept: dict, documents: dict, held: str) -> list[Problem]:
    """Each row a table kept by triggers holds that the documents do not give, and each the other
    way round, by key (at most 50)."""
    wrong = sorted(pk for pk in kept.keys() | documents.keys() if kept.get(pk) != documents.get(pk))
    return [
        Problem(check, f"{what} {pk}: {kept.get(pk)} {held}, documents give {documents.get(pk)}")
        for pk in wrong[:50]
    ]


def check_to_invoice() -> list[Problem]:
    """What the database keeps waiting to be invoiced equals what the documents leave uninvoiced."""
    takers = set(Customer.objects.filter(invoice_required=True).values_list("pk", flat=True))
    invoiced = set(InvoiceItem.objects.values_list("outbound_id", flat=True))
    posted = Outbound.objects.filter(status=OutboundStatus.POSTED).exclude(kind=OutboundKind.BAD_DEBT)
    expected = {
        pk: (customer, amount, day)
        for pk, customer, amount, day in posted.values_list(
            "pk", "customer_id", "amount", "posting_date"
        ).iterator(chunk_size=5000)
        if customer in takers and pk not in invoiced
    }
    kept = {
        pk: (customer, cents(amount), day)
        for pk, customer, amount, day in ToInvoice.objects.values_list(
            "outbound_id", "customer_id", "amount", "posting_date"
        )
    }
    return _kept_against_documents("outbounds to invoice", "outbound", kept, expected, "kept to invoice")


def check_cod_waiting() -> list[Problem]:
    """The COD money the database keeps to enter is every COD shipment no receipt names."""
    entered = set(Receipt.objects.filter(shipment__isnull=False).values_list("shipment_id", flat=True))
    cod = Shipment.objects.filter(cod_amount__gt=0).values_list("pk", flat=True).iterator(chunk_size=5000)
    expected = {pk: "waiting" for pk in cod if pk not in entered}
    kept = dict.fromkeys(CodWaiting.objects.values_list("shipment_id", flat=True), "waiting")
    return _kept_against_documents("COD money to enter", "shipment", kept, expected, "kept")


def check_ledger() -> list[Problem]:
    """The month-end path and the plain sums give each customer the same balance."""
    problems = []
    outbounds = _sums(Outbound.objects.filter(status=OutboundStatus.POSTED), "customer")
    receipts = _sums(Receipt.objects.all(), "customer")
    import datetime as dt

    from django.utils import timezone

    rows = ledger_rows(Customer.objects.all(), dt.date(2000, 1, 1), timezone.localdate(), from_documents=True)
    for row in rows:
        plain = outbounds.get(row.customer.pk, Decimal("0.00")) - receipts.get(
            row.customer.pk, Decimal("0.00")
        )
        if row.closing != plain:
            problems.append(
                Problem("ledger", f"{row.customer.code}: closing {row.closing} but documents give {plain}")
            )
        if sum(row.buckets.values(), Decimal("0.00")) - row.unapplied != row.closing:
            problems.append(
                Problem("ledger", f"{row.customer.code}: the aging does not add up to the balance")
            )
    return problems


def check_commissions() -> list[Problem]:
    problems = []
    for accrual in CommissionAccrual.objects.all().iterator(chunk_size=2000):
        if accrual.amount != line_amount(accrual.quantity, accrual.rebate_unit_price):
            problems.append(
                Problem("commissions", f"accrual {accrual.pk}: {accrual.amount} is not quantity × rebate")
            )
    twice = (
        StatementLine.objects.filter(active=True).values("accrual").annotate(n=Count("id")).filter(n__gt=1)
    )
    for row in twice[:50]:
        problems.append(Problem("commissions", f"accrual {row['accrual']} is on {row['n']} live statements"))
    lines = _sums(StatementLine.objects.filter(active=True), "statement", "accrual__amount")
    for number, pk, total in CommissionStatement.objects.exclude(status="returned").values_list(
        "number", "pk", "total"
    ):
        if lines.get(pk, Decimal("0.00")) != total:
            problems.append(
                Problem("commissions", f"{number}: total {total} but its lines add up to {lines.get(pk)}")
            )
    items = _sums(CommissionPayout.objects.all(), "pk", "items__amount")
    for payout in CommissionPayout.objects.select_related("statement"):
        if items.get(payout.pk) != payout.amount or payout.statement.status != "paid":
            problems.append(
                Problem("commissions", f"payout of {payout.statement.number} does not match its items")
            )
    settled = _sums(Allocation.objects.all(), "sale")
    paid = CommissionAccrual.objects.filter(amount__gt=0, payout_item__isnull=False).select_related(
        "outbound"
    )
    for accrual in paid:
        if settled.get(accrual.outbound_id, Decimal("0.00")) < accrual.outbound.amount:
            problems.append(
                Problem("commissions", f"accrual {accrual.pk} was paid but {accrual.outbound} is not settled")
            )
    return problems


# Numbered series and the rows that carry their numbers: every number used once, none skipped.
SERIES = [
    ("order", SalesOrder.objects.exclude(number=None), r"XS(\d{4})-(\d+)"),
    ("outbound", Outbound.objects.filter(kind=OutboundKind.SALE).exclude(number=None), r"CK(\d{4})-(\d+)"),
    ("return", Outbound.objects.filter(kind=OutboundKind.RETURN).exclude(number=None), r"TH(\d{4})-(\d+)"),
    (
        "write_off",
        Outbound.objects.filter(kind=OutboundKind.BAD_DEBT).exclude(number=None),
        r"HZ(\d{4})-(\d+)",
    ),
    ("receipt", Receipt.objects.all(), r"SK(\d{4})-(\d+)"),
    ("slip", ReceiptSlip.objects.all(), r"SJ(\d{4})-(\d+)"),
    ("statement", Statement.objects.all(), r"DZ(\d{4})-(\d+)"),
    ("commission", CommissionStatement.objects.all(), r"YJ(\d{4})-(\d+)"),
]


def check_numbering() -> list[Problem]:
    problems = []
    last = dict(Sequence.objects.values_list("key", "last_value"))
    for series, rows, pattern in SERIES:
        used: dict[str, list[int]] = defaultdict(list)
        for number in rows.model.objects.filter(pk__in=rows.values("pk")).values_list("number", flat=True):
            match = re.fullmatch(pattern, number or "")
            if match:
                used[match.group(1)].append(int(match.group(2)))
        for year, numbers in used.items():
            expected = last.get(f"{series}:{year}", 0)
            if sorted(numbers) != list(range(1, expected + 1)):
                missing = sorted(set(range(1, expected + 1)) - set(numbers))[:10]
                doubled = sorted(n for n in set(numbers) if numbers.count(n) > 1)[:10]
                problems.append(
                    Problem(
                        "numbering",
                        f"{series} {year}: gaps {missing}, doubles {doubled}, last issued {expected}",
                    )
                )
    return problems


# Each check with what it counts, as `salesdesk check` names it when the books hold.
CHECKS = {
    "stock": check_stock,
    "outbounds": check_outbounds,
    "allocations": check_allocations,
    "open items": check_open_items,
    "outbounds to invoice": check_to_invoice,
    "COD money to enter": check_cod_waiting,
    "ledger": check_ledger,
    "commissions": check_commissions,
    "numbering": check_numbering,
}


def check_books() -> list[Problem]:
    problems: list[Problem] = []
    for check in CHECKS.values():
        problems.extend(check())
    return problems
