"""Writes the plan's orders, postings, shipments, receipts and invoices in bulk: the rows the
services would write, built in memory and inserted a month at a time.

Only the everyday path is written here — order taken down, registered (the review's six
checks, a receivables hold overridden by the salesperson), released, posted, shipped, paid,
invoiced on the customer's day, the invoice mailed and received — with the plan keeping it
simple enough to decide in memory: agreed prices only, stock always sufficient, money never
more than what it settles. Returns, write-offs, commission statements and follow-ups go
through the services at the month's end, after a flush. A test writes the same plan both
ways and compares every row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from salesdesk.calls.models import CallRecord
from salesdesk.commissions.models import CommissionAccrual
from salesdesk.commissions.services import sale_accrual
from salesdesk.core.models import AuditEvent, Sequence, StatusChange
from salesdesk.core.money import line_amount, quantity_text, to_amount, to_unit_price, total
from salesdesk.gendata.clock import at_moment
from salesdesk.gendata.company import Company, in_force
from salesdesk.gendata.plan import (
    CallPlan,
    CodBack,
    InvoiceIssue,
    InvoiceMailed,
    InvoiceReceived,
    NoteBack,
    OrderPlan,
    Payment,
    Plan,
    Post,
    StockIn,
    invoice_number,
)
from salesdesk.gendata.services_writer import OVERRIDE_REASON
from salesdesk.orders import review
from salesdesk.orders.models import CheckResult, OrderLine, OrderStatus, ReviewCheck, SalesOrder
from salesdesk.orders.slots import cutoff, ship_slot_for
from salesdesk.receivables import selectors
from salesdesk.receivables.models import Allocation, Invoice, InvoiceItem, PaymentMethod, Receipt
from salesdesk.receivables.services_documents import DEFAULT_INVOICE_DAYS
from salesdesk.warehouse.models import (
    MoveKind,
    Outbound,
    OutboundKind,
    OutboundLine,
    OutboundStatus,
    Shipment,
    StockLevel,
    StockMove,
)

ZERO = Decimal("0.00")
CHECKS = ["master_data", "credit_terms", "agreed_price", "prepayment", "receivables", "stock"]
# Parents before children, so a child's foreign key is known when it is inserted.
INSERT_ORDER = [
    CallRecord,
    SalesOrder,
    OrderLine,
    ReviewCheck,
    Outbound,
    OutboundLine,
    StockLevel,
    StockMove,
    Shipment,
    CommissionAccrual,
    Receipt,
    Allocation,
    # After the outbounds are posted (the flush posts them once their lines are in).
    Invoice,
    InvoiceItem,
    StatusChange,
    AuditEvent,
]


class OrderState:
    def __init__(self, order: SalesOrder, lines: list[OrderLine]):
        self.order = order
        self.lines = {line.position: line for line in lines}
        self.unshipped = {line.position: line.quantity for line in lines}


class Sale:
    """A posted sale while something is still open on it."""

    def __init__(self, outbound: Outbound):
        self.outbound = outbound
        self.open = outbound.amount


def insert(model, objs: list) -> None:
    """INSERT the rows as they are, ids included: much faster than the ORM's bulk_create, and
    the ids were given as the rows were built, so children knew their parents. PostgreSQL takes
    them by COPY (its triggers and constraints run for each row as for an INSERT): an executemany
    there is one statement a row, and scale 0.1 took 61.9 s with it, 52.0 s by COPY and the
    converters below."""
    if not objs:
        return
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    getters = [(f.attname, _converter(f)) for f in fields]
    rows = [_values(obj, getters) for obj in objs]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the models
            cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


def update(model, objs: list, names: list[str]) -> None:
    """UPDATE those fields of the rows, one statement executed for each: much faster than the
    ORM's bulk_update, whose CASE over every id of a batch the database works through per row."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"  # noqa: S608 - names from the models
    getters = [(f.attname, _converter(f)) for f in fields]
    rows = [_values(obj, getters) + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _values(obj, getters: list[tuple]) -> list:
    return [convert(getattr(obj, name)) if convert else getattr(obj, name) for name, convert in getters]


PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)


def _converter(field):
    """How a value goes to the database driver; None where it goes as it is (most columns).
    `get_db_prep_save` for every value cost more than the INSERTs themselves. A Decimal and a
    date go as they are on both engines, and an aware datetime on PostgreSQL: for those
    `get_db_prep_save` hands back the very value, after two conversions and a time-zone check."""
    if isinstance(field, PLAIN) and not isinstance(field, models.JSONField):
        return None

    def prepared(value):
        return field.get_db_prep_save(value, connection)

    if isinstance(field, models.DecimalField):
        return lambda value: value if value.__class__ is Decimal else prepared(value)
    if isinstance(field, models.DateTimeField):
        if connection.vendor != "postgresql":
            return prepared
        return lambda value: value if value.__class__ is dt.datetime and value.tzinfo else prepared(value)
    if isinstance(field, models.DateField):
        return lambda value: value if value.__class__ is dt.date else prepared(value)
    return prepared


class _Blueprint:
    """A model's defaults and relations, read once for `unsaved`."""

    def __init__(self, model):
        fields = model._meta.concrete_fields
        self.relations = {f.name: f for f in fields if f.is_relation}
        self.names = {f.attname for f in fields} | set(self.relations)
        # A default that is not callable is the same object on every call of get_default.
        made = [f for f in fields if f.has_default() and callable(f.default)]
        self.fixed = {f.attname: f.get_default() for f in fields if f not in made}
        self.made = [(f.attname, f.get_default) for f in made]


_BLUEPRINTS: dict[type, _Blueprint] = {}


def unsaved(model, **values):
    """`model(**values)` without Model.__init__, which walked every field through its descriptor
    and sent two signals for each of the generator's millions of rows: over half of its time in
    memory. The same attributes result: given values, a related object's id with the object
    cached (and the reverse cache of a one-to-one, as its descriptor sets), the rest defaulted."""
    blueprint = _BLUEPRINTS.get(model) or _BLUEPRINTS.setdefault(model, _Blueprint(model))
    obj = model.__new__(model)
    attributes = obj.__dict__
    attributes.update(blueprint.fixed)
    state = attributes["_state"] = ModelState()
    for name, value in values.items():
        field = blueprint.relations.get(name)
        if field is not None:
            attributes[field.attname] = None if value is None else getattr(value, field.target_field.attname)
            state.fields_cache[name] = value
            if value is not None and field.one_to_one:
                field.remote_field.set_cached_value(value, obj)
        elif name in blueprint.names:
            attributes[name] = value
        else:
            raise TypeError(f"{model.__name__}() got an unexpected keyword argument '{name}'")
    for attname, default in blueprint.made:
        if attname not in attributes:
            attributes[attname] = default()
    return obj


def audit_event(action: str, *, by, obj, at: dt.datetime, summary: str = "") -> AuditEvent:
    """The audit row `core.audit.record_event` writes, unsaved."""
    return unsaved(
        AuditEvent,
        action=action,
        by=by,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:500],
        data={},
        at=at,
    )


class BulkWriter:
    def __init__(self, plan: Plan, company: Company):
        if [c.code for c in review.CHECKS] != CHECKS:
            raise RuntimeError(
                f"the review's checks changed ({[c.code for c in review.CHECKS]}); update gendata"
            )
        self.plan, self.company = plan, company
        self.rows: dict[type, list] = {model: [] for model in INSERT_ORDER}
        self.changed: dict[type, dict[int, tuple[object, set[str]]]] = defaultdict(dict)
        self.orders: dict[int, OrderState] = {}
        self.sales: dict[int, Sale] = {}  # open sales by plan key
        self.open_by_customer: dict[int, dict[int, Sale]] = defaultdict(dict)  # customer pk → key → sale
        self.reserved: dict[int, Decimal] = defaultdict(Decimal)  # product pk → on released orders
        self.shipments: dict[int, Shipment] = {}
        self.calls: dict[int, CallRecord] = {}
        # What invoice customers were sent and not yet invoiced: customer pk → (posting date,
        # outbound id, amount); and the invoices not yet with the customer, by the plan's key.
        self.uninvoiced: dict[int, list[tuple[dt.date, int, Decimal]]] = defaultdict(list)
        self.invoices: dict[int, Invoice] = {}
        self.invoices_issued = 0
        self.product_n = {p.pk: i for i, p in enumerate(company.products)}
        self.customer_n = {c.pk: i for i, c in enumerate(company.customers)}
        self._slots: dict[tuple[dt.date, bool], tuple[dt.date, str]] = {}
        # Read once: timezone.localtime looks the zone up for each of a million events.
        self.zone, self.cutoff = timezone.get_current_timezone(), cutoff()
        self.refresh([])

    # --- what the month's end needs -------------------------------------------------------

    def sale(self, key: int) -> Outbound | None:
        """A sale still open (a settled one cannot take a return or a write-off)."""
        sale = self.sales.get(key)
        return sale.outbound if sale else None

    def call_record(self, call: CallPlan) -> CallRecord:
        return self.calls.pop(id(call))

    def refresh(self, sale_keys: list[int], *, returns=()) -> None:
        """Read back what the services changed at the month's end: stock, numbers, open amounts,
        and the returns they posted, which invoice customers are invoiced for."""
        for outbound in returns:
            if outbound.customer.invoice_required:
                self.uninvoiced[outbound.customer_id].append(
                    (outbound.posting_date, outbound.pk, to_amount(outbound.amount))
                )
        self.sequences = dict(Sequence.objects.values_list("key", "last_value"))
        self.new_sequences: list[str] = []  # in the order the services would have created them
        self.touched_sequences: set[str] = set()
        self.levels = {level.product_id: level for level in StockLevel.objects.all()}
        self.next_id = {m: (m.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for m in INSERT_ORDER}
        for key in sale_keys:
            sale = self.sales.get(key)
            if sale is None:
                continue
            sale.open = selectors.open_amount(sale.outbound)
            if sale.open <= 0:
                self._settled(key, sale)

    def reconcile(self, ticks, *, by, at: dt.datetime) -> None:
        """Finance's tick-offs (see `month_end.finance_ticks`) as the services write them: the
        receipts' finance fields and one audit event per tick, in the same order."""
        checked = [tick.receipt.pk for tick in ticks if tick.check]
        by_day: dict[dt.date, list[int]] = defaultdict(list)
        events = []
        for tick in ticks:
            by_day[tick.reached_finance_on].append(tick.receipt.pk)
            number, customer = tick.receipt.number, tick.receipt.customer
            if tick.check:
                events.append(audit_event("receipt.checked", by=by, obj=customer, at=at, summary=number))
            summary = f"{number} {tick.reached_finance_on}"
            events.append(audit_event("receipt.reached_finance", by=by, obj=customer, at=at, summary=summary))
        for start in range(0, len(checked), 500):
            Receipt.objects.filter(pk__in=checked[start : start + 500]).update(
                finance_checked_by=by, finance_checked_at=at
            )
        for day, ids in by_day.items():
            for start in range(0, len(ids), 500):
                Receipt.objects.filter(pk__in=ids[start : start + 500]).update(reached_finance_on=day)
        # Inserted now, with the database's ids as the services' would be: the ids this writer
        # hands out are read again only after the month's end.
        with at_moment(at):  # `at` is filled in on insert
            AuditEvent.objects.bulk_create(events, batch_size=500)

    def flush(self) -> None:
        posted = [row for row in self.rows[Outbound] if row.status == OutboundStatus.POSTED]
        for model in INSERT_ORDER:
            rows = self.rows[model]
            if model is Outbound:
                # Lines go into a draft (a posted outbound's lines are frozen), then it is posted.
                for row in posted:
                    row.status = OutboundStatus.DRAFT
            insert(model, rows)
            rows.clear()
            if model is OutboundLine:
                for row in posted:
                    row.status = OutboundStatus.POSTED
                for start in range(0, len(posted), 500):
                    chunk = [row.pk for row in posted[start : start + 500]]
                    Outbound.objects.filter(pk__in=chunk).update(status=OutboundStatus.POSTED)
        for model, changed in self.changed.items():
            by_fields: dict[frozenset, list] = defaultdict(list)
            for obj, fields in changed.values():
                by_fields[frozenset(fields)].append(obj)
            for fields, objs in by_fields.items():
                update(model, objs, sorted(fields))
        self.changed.clear()
        # The services' inserts that follow take their ids from the sequences (PostgreSQL).
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), INSERT_ORDER):
                cursor.execute(statement)
        for key in self.new_sequences:
            Sequence.objects.create(key=key, last_value=self.sequences[key])
        for key in self.touched_sequences - set(self.new_sequences):
            Sequence.objects.filter(key=key).update(last_value=self.sequences[key])
        self.new_sequences, self.touched_sequences = [], set()

    # --- helpers ----------------------------------------------------------------------------

    def _next(self, series: str) -> int:
        if series not in self.sequences:
            self.sequences[series] = 0
            self.new_sequences.append(series)
        self.sequences[series] += 1
        self.touched_sequences.add(series)
        return self.sequences[series]

    def _add(self, obj):
        """Give the row its id now and queue it for the next flush."""
        model = type(obj)
        obj.pk = self.next_id[model]
        self.next_id[model] += 1
        obj._state.adding = False
        self.rows[model].append(obj)
        return obj

    def _change(self, obj, *fields: str) -> None:
        """A row already inserted changed: update it at the next flush (a new one carries its values)."""
        if obj._state.db is None:  # not inserted yet: it goes in with its new values
            return
        _obj, known = self.changed[type(obj)].setdefault(id(obj), (obj, set()))
        known.update(fields)

    def _status(self, obj, to: str, *, by, at: dt.datetime, note: str = "") -> None:
        row = unsaved(
            StatusChange,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            from_status=obj.status,
            to_status=to,
            by=by,
            note=note[:500],
            at=at,
        )
        self._add(row)
        obj.status = to
        self._change(obj, "status")

    def _event(self, action: str, *, by, obj, at: dt.datetime, summary: str = "") -> None:
        self._add(audit_event(action, by=by, obj=obj, at=at, summary=summary))

    def _level(self, product) -> StockLevel:
        level = self.levels.get(product.pk)
        if level is None:
            level = unsaved(StockLevel, product=product, on_hand=Decimal("0"))
            self.levels[product.pk] = self._add(level)
        return level

    def _move(self, product, delta: Decimal, kind: str, *, by, at: dt.datetime, outbound=None) -> None:
        level = self._level(product)
        if level.on_hand + delta < 0:
            raise RuntimeError(f"the plan ran {product.model_code} out of stock")
        level.on_hand += delta
        self._change(level, "on_hand")
        self._add(
            unsaved(
                StockMove,
                product=product,
                quantity=delta,
                kind=kind,
                by=by,
                reason="",
                outbound=outbound,
                at=at,
            )
        )

    def _settled(self, key: int, sale: Sale) -> None:
        del self.sales[key]
        del self.open_by_customer[sale.outbound.customer_id][key]

    # --- the day's events ---------------------------------------------------------------------

    def handle(self, at: dt.datetime, event) -> None:
        if isinstance(event, OrderPlan):
            self.order(at, event)
        elif isinstance(event, Post):
            self.post(at, event)
        elif isinstance(event, Payment):
            self.payment(at, event)
        elif isinstance(event, CodBack):
            self.cod_back(at, event)
        elif isinstance(event, NoteBack):
            shipment = self.shipments.pop(event.sale)
            shipment.note_returned_on = at.date()
            self._change(shipment, "note_returned_on")
            self._event("shipment.note_returned", by=self.company.clerks[0], obj=shipment.outbound, at=at)
        elif isinstance(event, StockIn):
            product = self.company.products[event.product]
            clerk = self.company.clerks[0]
            self._move(product, event.quantity, MoveKind.PRODUCTION_IN, by=clerk, at=at)
            self._event(
                "stock.inbound",
                by=clerk,
                obj=product,
                at=at,
                summary=f"{product.model_code} +{quantity_text(event.quantity)}",
            )
        elif isinstance(event, CallPlan):
            self.call(event, event.at)
        elif isinstance(event, InvoiceIssue):
            self.invoice_issue(at, event)
        elif isinstance(event, InvoiceMailed):
            self.invoice_mailed(at, event)
        elif isinstance(event, InvoiceReceived):
            self.invoice_received(at, event)

    def call(self, plan: CallPlan, at: dt.datetime) -> CallRecord:
        company = self.company
        customer = company.customers[plan.customer] if plan.customer is not None else None
        by = (
            company.assistants[self.plan.customers[plan.customer].assistant]
            if customer
            else company.assistants[0]
        )
        record = unsaved(
            CallRecord,
            at=at,
            answered_by=by,
            company=plan.company,
            contact_name=plan.contact,
            phone=plan.phone,
            need=plan.need,
            customer=customer,
            duration_minutes=plan.minutes,
        )
        self._add(record)
        if plan.follow_up:
            self.calls[id(plan)] = record
        return record

    def _slot(self, at: dt.datetime) -> tuple[dt.date, str]:
        local = at.astimezone(self.zone)
        key = (local.date(), local.time() < self.cutoff)
        if key not in self._slots:
            self._slots[key] = ship_slot_for(at)
        return self._slots[key]

    def order(self, at: dt.datetime, plan: OrderPlan) -> None:
        company, spec = self.company, self.plan.customers[plan.customer]
        customer = company.customers[plan.customer]
        assistant = company.assistants[spec.assistant]
        today = at.astimezone(self.zone).date()
        call = self.call(plan.call, plan.call.at) if plan.call is not None else None
        year = today.year
        order = unsaved(
            SalesOrder,
            customer=customer,
            salesperson_id=customer.salesperson_id,
            assistant_id=customer.assistant_id,
            created_by=assistant,
            call=call,
            channel=plan.channel,
            ship_method=plan.ship_method,
            carrier=company.carriers[plan.carrier] if plan.carrier is not None else None,
            collection_method=plan.collection,
            ship_in_parts=plan.ship_in_parts,
            status=OrderStatus.DRAFT,
            registered_at=at,
            number=f"XS{year}-{self._next(f'order:{year}'):05d}",
            created_at=at,
        )
        self._add(order)
        lines = []
        for position, (product_n, quantity) in enumerate(plan.lines, start=1):
            price = to_unit_price(in_force(company.prices[(plan.customer, product_n)], today))
            lines.append(
                self._add(
                    unsaved(
                        OrderLine,
                        order=order,
                        position=position,
                        product=company.products[product_n],
                        quantity=quantity,
                        unit_price=price,
                        amount=line_amount(quantity, price),
                        agreed_price=price,
                    )
                )
            )
        self._check_stock(lines)
        held = self._review(order, customer, lines, today, at)
        if held:
            self._status(order, OrderStatus.ON_HOLD, by=assistant, at=at)
            self._event("order.held", by=assistant, obj=order, at=at, summary=order.number)
            salesperson = company.salespeople[spec.salesperson]
            held.result, held.overridden_by, held.override_reason = (
                CheckResult.OVERRIDDEN,
                salesperson,
                OVERRIDE_REASON,
            )
            label = review.check_by_code("receivables").label
            self._event(
                "order.check_overridden",
                by=salesperson,
                obj=order,
                at=at,
                summary=f"{label}: {OVERRIDE_REASON}",
            )
            self._status(order, OrderStatus.REGISTERED, by=salesperson, at=at, note=_("All checks pass"))
        else:
            self._status(order, OrderStatus.REGISTERED, by=assistant, at=at)
            self._event("order.registered", by=assistant, obj=order, at=at, summary=order.number)
        order.ship_date, order.ship_slot = self._slot(at)
        self._status(order, OrderStatus.RELEASED, by=assistant, at=at)
        self._event(
            "order.released",
            by=assistant,
            obj=order,
            at=at,
            summary=f"{order.number} {order.ship_date} {order.get_ship_slot_display()}",
        )
        for line in lines:
            self.reserved[line.product_id] += line.quantity
        self.orders[plan.n] = OrderState(order, lines)

    def _check_stock(self, lines: list[OrderLine]) -> None:
        wanted: dict[int, Decimal] = defaultdict(Decimal)
        for line in lines:
            wanted[line.product_id] += line.quantity
        for product_id, quantity in wanted.items():
            level = self.levels.get(product_id)
            available = (level.on_hand if level else Decimal("0")) - self.reserved[product_id]
            if available < quantity:
                raise RuntimeError(
                    "the plan's stock falls short of an order; its review would ask production"
                )

    def _review(self, order, customer, lines, today: dt.date, at: dt.datetime) -> ReviewCheck | None:
        """The six checks as the services run them on this plan's orders; returns the failed one."""
        reasons = {code: "" for code in CHECKS}
        if customer.prepayment_exception_by_id:
            who = self.company.manager
            reasons["prepayment"] = _("Exception by %(who)s: %(note)s") % {
                "who": who.first_name or who.get_username(),
                "note": customer.prepayment_exception_note,
            }
        problems = []
        open_sales = self.open_by_customer[customer.pk].values()
        overdue = sum(
            (s.open for s in open_sales if s.outbound.due_date < today and s.outbound.posting_date <= today),
            ZERO,
        )
        if overdue > 0:
            problems.append(_("%(amount)s overdue") % {"amount": overdue})
        if customer.credit_limit is not None:
            owed = sum((s.open for s in open_sales), ZERO)
            order_total = sum((line.amount for line in lines), ZERO)
            if owed + order_total > customer.credit_limit:
                problems.append(
                    _("balance %(b)s plus this order %(o)s is over the credit limit %(l)s")
                    % {"b": owed, "o": order_total, "l": customer.credit_limit}
                )
        failed = None
        for code in CHECKS:
            row = unsaved(
                ReviewCheck,
                order=order,
                code=code,
                result=CheckResult.PASSED,
                reason=reasons[code],
                checked_at=at,
            )
            if code == "receivables" and problems:
                row.result, row.reason = (
                    CheckResult.FAILED,
                    _("Receivables: %(r)s.") % {"r": "; ".join(problems)},
                )
                failed = row
            self._add(row)
        return failed

    def post(self, at: dt.datetime, plan: Post) -> None:
        state = self.orders[plan.order]
        order, company = state.order, self.company
        customer = order.customer
        clerk = company.clerks[plan.order % 2]
        today = at.astimezone(self.zone).date()
        outbound = unsaved(
            Outbound,
            kind=OutboundKind.SALE,
            order=order,
            customer=customer,
            created_by=clerk,
            created_at=at,
            status=OutboundStatus.POSTED,
            posting_date=today,
            posted_at=at,
            posted_by=clerk,
            due_date=today + dt.timedelta(days=customer.credit_days),
        )
        self._add(outbound)
        lines = []
        for position, quantity in plan.lines:
            ordered = state.lines[position]
            lines.append(
                self._add(
                    unsaved(
                        OutboundLine,
                        outbound=outbound,
                        order_line=ordered,
                        product=ordered.product,
                        quantity=quantity,
                        unit_price=ordered.unit_price,
                        amount=line_amount(quantity, ordered.unit_price),
                    )
                )
            )
            state.unshipped[position] -= quantity
            self.reserved[ordered.product_id] -= quantity
        outbound.amount = total(line.amount for line in lines)
        outbound.number = f"CK{today.year}-{self._next(f'outbound:{today.year}'):05d}"
        for line in sorted(
            lines, key=lambda ln: ln.product_id
        ):  # stable: then in line order, as posting locks
            self._move(line.product, -line.quantity, MoveKind.SALE_OUT, by=clerk, at=at, outbound=outbound)
        everything = all(left <= 0 for left in state.unshipped.values())
        status = OrderStatus.SHIPPED if everything else OrderStatus.PARTLY_SHIPPED
        if order.status != status:
            self._status(order, status, by=clerk, at=at, note=outbound.number)
        if everything:
            del self.orders[plan.order]
        self._accrue(outbound, lines, at)
        self._event("outbound.posted", by=clerk, obj=order, at=at, summary=outbound.number)
        if customer.invoice_required:
            self.uninvoiced[customer.pk].append((today, outbound.pk, outbound.amount))
        sale = Sale(outbound)
        self.sales[plan.sale] = sale
        self.open_by_customer[customer.pk][plan.sale] = sale
        if plan.ship is not None:
            self._ship(at, plan, outbound, clerk)

    def _accrue(self, outbound: Outbound, lines: list[OutboundLine], at: dt.datetime) -> None:
        customer = outbound.customer
        if not customer.rebate:
            return
        n = self.customer_n[customer.pk]
        for line in lines:
            rebate = in_force(
                self.company.rebates.get((n, self.product_n[line.product_id]), []), outbound.posting_date
            )
            accrual = sale_accrual(outbound, line, rebate)
            if accrual is not None:
                accrual.created_at = at
                self._add(accrual)

    def _ship(self, at: dt.datetime, plan: Post, outbound: Outbound, clerk) -> None:
        ship = plan.ship
        carrier = self.company.carriers[ship.carrier] if ship.carrier is not None else None
        shipped_on = outbound.posting_date

        def due(wanted: bool) -> dt.date | None:
            days = carrier.return_deadline_days if carrier is not None else 7
            return shipped_on + dt.timedelta(days=days) if wanted else None

        shipment = unsaved(
            Shipment,
            outbound=outbound,
            carrier=carrier,
            tracking_number=ship.tracking.strip()[:40],
            driver=ship.driver.strip()[:50],
            shipped_on=shipped_on,
            cod_amount=outbound.amount if ship.cod else Decimal("0"),
            cod_due=due(ship.cod),
            note_required=ship.note_required,
            note_due=due(ship.note_required),
            created_by=clerk,
            created_at=at,
        )
        self._add(shipment)
        self._event(
            "shipment.recorded",
            by=clerk,
            obj=outbound.order,
            at=at,
            summary=f"{carrier or ship.driver} {ship.tracking}",
        )
        if ship.cod or ship.note_required:
            self.shipments[plan.sale] = shipment

    def cod_back(self, at: dt.datetime, plan: CodBack) -> None:
        shipment = self.shipments.pop(plan.sale)
        sale = self.sales.get(plan.sale)
        outbound = shipment.outbound
        by = self.company.assistant_of(outbound.customer_id)
        day = at.date()
        shipment.cod_returned_on = day
        self._change(shipment, "cod_returned_on")
        self._event("shipment.cod_returned", by=by, obj=outbound, at=at, summary=f"{shipment.cod_amount}")
        left = sale.open if sale else ZERO
        settle = [(plan.sale, min(left, shipment.cod_amount), left)] if left > 0 else []
        method = PaymentMethod.COD if shipment.carrier_id else PaymentMethod.CASH
        self._receipt(
            at,
            outbound.customer,
            by,
            shipment.cod_amount,
            day,
            method,
            settle,
            carrier=shipment.carrier,
            shipment=shipment,
            reference=shipment.tracking_number,
        )

    def payment(self, at: dt.datetime, plan: Payment) -> None:
        paid = plan.settle([(key, self.sales[key].open) for key in plan.sales if key in self.sales])
        if paid is None:
            return
        amount, settle, note = paid
        customer = self.company.customers[plan.customer]
        by = self.company.assistants[self.plan.customers[plan.customer].assistant]
        self._receipt(at, customer, by, amount, plan.received_on, plan.method, settle, note=note)

    def _receipt(
        self,
        at,
        customer,
        by,
        amount,
        received_on,
        method,
        settle,
        *,
        note="",
        carrier=None,
        shipment=None,
        reference="",
    ) -> None:
        today = at.astimezone(self.zone).date()
        amount = to_amount(amount)
        settled_open = sum((left for _key, _take, left in settle), ZERO)
        receipt = unsaved(
            Receipt,
            number=f"SK{today.year}-{self._next(f'receipt:{today.year}'):05d}",
            customer=customer,
            received_on=received_on,
            amount=amount,
            method=method,
            carrier=carrier,
            shipment=shipment,
            reference=reference.strip()[:60],
            note=note,
            difference=amount - settled_open,
            entered_late=received_on < today,
            created_by=by,
            created_at=at,
        )
        self._add(receipt)
        for key, take, _left in settle:
            sale = self.sales[key]
            self._add(
                unsaved(
                    Allocation,
                    sale=sale.outbound,
                    receipt=receipt,
                    amount=take,
                    date=max(sale.outbound.posting_date, received_on),
                    created_by=by,
                    created_at=at,
                )
            )
            sale.open -= take
            if sale.open <= 0:
                self._settled(key, sale)
        self._event(
            "receipt.created",
            by=by,
            obj=customer,
            at=at,
            summary=f"{receipt.number} {amount}" + (f" ({note[:80]})" if note else ""),
        )

    # --- invoices -------------------------------------------------------------------------------

    def invoice_issue(self, at: dt.datetime, plan: InvoiceIssue) -> None:
        """`invoice_issue` for what the customer was sent and not yet invoiced, oldest first."""
        customer = self.company.customers[plan.customer]
        waiting = sorted(self.uninvoiced.get(customer.pk, ()))
        amount = total(amount for _day, _pk, amount in waiting)
        if not waiting or amount <= 0:
            return
        del self.uninvoiced[customer.pk]
        by = self.company.assistants[self.plan.customers[plan.customer].assistant]
        self.invoices_issued += 1
        invoice = unsaved(
            Invoice,
            number=invoice_number(plan.issued_on, self.invoices_issued),
            customer=customer,
            issued_on=plan.issued_on,
            must_reach_by=plan.issued_on + dt.timedelta(days=DEFAULT_INVOICE_DAYS),
            amount=amount,
            note="",
            created_by=by,
            created_at=at,
        )
        self._add(invoice)
        for _day, pk, item_amount in waiting:
            self._add(unsaved(InvoiceItem, invoice=invoice, outbound_id=pk, amount=item_amount))
        self._event("invoice.issued", by=by, obj=customer, at=at, summary=f"{invoice.number} {amount}")
        self.invoices[plan.key] = invoice

    def invoice_mailed(self, at: dt.datetime, plan: InvoiceMailed) -> None:
        invoice = self.invoices.get(plan.key)
        if invoice is None:  # nothing was invoiced
            return
        invoice.tracking_number = plan.tracking.strip()[:40]
        invoice.carrier = self.company.carriers[plan.carrier]
        invoice.mailed_on = at.date()
        self._change(invoice, "tracking_number", "carrier", "mailed_on")
        by = self.company.assistant_of(invoice.customer_id)
        summary = f"{invoice.number} {plan.tracking}"
        self._event("invoice.mailed", by=by, obj=invoice.customer, at=at, summary=summary)

    def invoice_received(self, at: dt.datetime, plan: InvoiceReceived) -> None:
        invoice = self.invoices.pop(plan.key, None)
        if invoice is None:
            return
        invoice.received_on = plan.received_on
        self._change(invoice, "received_on")
        by = self.company.assistant_of(invoice.customer_id)
        summary = f"{invoice.number} {plan.received_on}"
        self._event("invoice.received", by=by, obj=invoice.customer, at=at, summary=summary)
