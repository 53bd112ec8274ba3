"""Who may open which page: one table, checked for every role against own and other's objects.

"own" is a customer (and what hangs off it) whose assistant and salesperson are the users
asking; "other" belongs to another assistant and salesperson. Finance, the manager and the
warehouse see every customer, so for them both answer alike. Outside one's scope is 404,
never 403, so that a code's existence is not given away.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.factories import build_world, days_ago

ROLES = ("assistant", "salesperson", "warehouse", "finance", "manager")

# method, url name, object (None / "own" / "other"), then the status per role in ROLES order:
#                                                       assistant salesp. wareh. finance manager
MATRIX: list[tuple[str, str, str | None, tuple[int, int, int, int, int]]] = [
    ("GET", "workbench:home", None, (200, 200, 200, 200, 200)),
    # A reminder is its own user's alone: no one else's exists (tests/workbench/test_daily.py).
    ("POST", "workbench:reminder-done", None, (404, 404, 404, 404, 404)),
    ("GET", "customers:customer-list", None, (200, 200, 200, 200, 200)),
    ("GET", "customers:customer-create", None, (200, 200, 403, 403, 200)),
    ("GET", "customers:customer-detail", "own", (200, 200, 200, 200, 200)),
    ("GET", "customers:customer-detail", "other", (404, 404, 200, 200, 200)),
    ("GET", "customers:customer-edit", "own", (200, 200, 403, 403, 200)),
    ("GET", "customers:customer-edit", "other", (404, 404, 403, 403, 200)),
    ("POST", "customers:credit-application-submit", "own", (302, 302, 403, 403, 302)),
    ("POST", "customers:credit-application-submit", "other", (404, 404, 403, 403, 302)),
    ("POST", "customers:credit-application-decide", "own", (403, 403, 403, 403, 302)),
    ("POST", "customers:credit-application-decide", "other", (403, 403, 403, 403, 302)),
    ("GET", "catalog:product-list", None, (200, 200, 200, 200, 200)),
    ("GET", "catalog:product-create", None, (403, 403, 403, 403, 200)),
    ("GET", "catalog:product-detail", None, (200, 200, 200, 200, 200)),
    ("GET", "catalog:product-edit", None, (403, 403, 403, 403, 200)),
    ("GET", "catalog:price-list", None, (200, 200, 403, 200, 200)),
    ("GET", "catalog:rebate-list", None, (200, 200, 403, 200, 200)),
    ("GET", "catalog:customer-prices", "own", (200, 200, 403, 200, 200)),
    ("GET", "catalog:customer-prices", "other", (404, 404, 403, 200, 200)),
    ("POST", "catalog:price-create", "own", (200, 403, 403, 403, 200)),
    ("POST", "catalog:price-create", "other", (404, 403, 403, 403, 200)),
    # Setting rebates needs the commission permission (回佣权限), granted per person.
    ("POST", "catalog:rebate-create", "own", (200, 403, 403, 403, 200)),
    ("POST", "catalog:rebate-create", "other", (404, 403, 403, 403, 200)),
    ("GET", "catalog:carrier-list", None, (200, 200, 200, 200, 200)),
    ("GET", "catalog:carrier-create", None, (403, 403, 403, 403, 200)),
    ("GET", "catalog:carrier-detail", None, (200, 200, 200, 200, 200)),
    ("POST", "catalog:carrier-suspend", None, (403, 403, 403, 403, 302)),
    ("POST", "catalog:carrier-reinstate", None, (403, 403, 403, 403, 302)),
    # Importing needs the permission to add what is imported; an export is the list it comes from.
    ("GET", "customers:customer-import", None, (200, 200, 403, 403, 200)),
    ("GET", "customers:customer-export", None, (200, 200, 200, 200, 200)),
    ("GET", "catalog:product-import", None, (403, 403, 403, 403, 200)),
    ("GET", "catalog:product-export", None, (200, 200, 200, 200, 200)),
    ("GET", "catalog:price-import", None, (200, 403, 403, 403, 200)),
    ("GET", "catalog:price-export", None, (200, 200, 403, 200, 200)),
    ("GET", "catalog:rebate-export", None, (200, 200, 403, 200, 200)),
    # Stock and posting: everyone who works with orders sees the queue, stock and outbounds
    # (scoped to their customers); only the warehouse and the manager move stock or post.
    ("GET", "warehouse:queue", None, (200, 200, 200, 200, 200)),
    ("GET", "warehouse:order-ship", "own", (403, 403, 200, 403, 200)),
    ("GET", "warehouse:order-ship", "other", (403, 403, 200, 403, 200)),
    ("POST", "warehouse:order-ship", "own", (403, 403, 302, 403, 302)),
    ("POST", "warehouse:order-ship", "other", (403, 403, 302, 403, 302)),
    ("GET", "warehouse:order-shipments", "own", (200, 200, 200, 200, 200)),
    ("GET", "warehouse:order-shipments", "other", (404, 404, 200, 200, 200)),
    ("POST", "orders:order-ship-in-parts", "own", (302, 302, 403, 403, 302)),
    ("POST", "orders:order-ship-in-parts", "other", (404, 404, 403, 403, 302)),
    ("GET", "warehouse:stock-list", None, (200, 200, 200, 200, 200)),
    ("GET", "warehouse:stock-moves", None, (200, 403, 200, 200, 200)),
    ("GET", "warehouse:stock-inbound", None, (403, 403, 200, 403, 200)),
    ("POST", "warehouse:stock-inbound", None, (403, 403, 302, 403, 302)),
    ("GET", "warehouse:stock-adjust", None, (403, 403, 200, 403, 200)),
    ("POST", "warehouse:stock-adjust", None, (403, 403, 302, 403, 302)),
    ("GET", "warehouse:production-list", None, (200, 200, 200, 200, 200)),
    # The assistant hears the production date and records it; receiving goods is the warehouse's.
    ("POST", "warehouse:production-confirm", None, (302, 403, 302, 403, 302)),
    ("POST", "warehouse:production-receive", None, (403, 403, 302, 403, 302)),
    ("GET", "warehouse:outbound-list", None, (200, 200, 200, 200, 200)),
    ("GET", "warehouse:outbound-detail", "own", (200, 200, 200, 200, 200)),
    ("GET", "warehouse:outbound-detail", "other", (404, 404, 200, 200, 200)),
    ("GET", "warehouse:delivery-note", "own", (200, 200, 200, 200, 200)),
    ("GET", "warehouse:delivery-note", "other", (404, 404, 200, 200, 200)),
    # Shipping: everyone reads the courier log and the day's checks within their scope (the
    # warehouse without money); assistants and the warehouse record shipments; money is ticked
    # off by assistants, finance and the manager, signed notes by the warehouse too.
    ("GET", "warehouse:courier-log", None, (200, 200, 200, 200, 200)),
    ("GET", "warehouse:courier-log-export", None, (200, 200, 200, 200, 200)),
    ("GET", "warehouse:shipping-create", "own", (200, 403, 200, 403, 200)),
    ("GET", "warehouse:shipping-create", "other", (404, 403, 200, 403, 200)),
    ("POST", "warehouse:shipping-create", "own", (302, 403, 302, 403, 302)),
    ("POST", "warehouse:shipping-create", "other", (404, 403, 302, 403, 302)),
    ("GET", "warehouse:shipping-order-panel", "own", (200, 200, 200, 200, 200)),
    ("GET", "warehouse:shipping-order-panel", "other", (404, 404, 200, 200, 200)),
    ("POST", "warehouse:shipping-cod-returned", "own", (302, 403, 403, 302, 302)),
    ("POST", "warehouse:shipping-cod-returned", "other", (404, 403, 403, 302, 302)),
    ("POST", "warehouse:shipping-note-returned", "own", (302, 403, 302, 302, 302)),
    ("POST", "warehouse:shipping-note-returned", "other", (404, 403, 302, 302, 302)),
    ("GET", "warehouse:carriers-flagged", None, (200, 200, 200, 200, 200)),
    ("GET", "warehouse:end-of-day", None, (200, 200, 200, 200, 200)),
    ("GET", "warehouse:end-of-day-plan", None, (200, 200, 200, 200, 200)),
    ("GET", "warehouse:next-morning", None, (200, 200, 200, 200, 200)),
    # Samples: whoever sees the customer asks for one; the warehouse, assistants and the
    # manager move it on; who asked for it may also cancel it.
    ("GET", "warehouse:sample-list", None, (200, 200, 200, 200, 200)),
    ("GET", "warehouse:sample-create", None, (200, 200, 200, 200, 200)),
    ("POST", "warehouse:sample-create", None, (302, 302, 302, 302, 302)),
    ("GET", "warehouse:sample-detail", "own", (200, 200, 200, 200, 200)),
    ("GET", "warehouse:sample-detail", "other", (404, 404, 200, 200, 200)),
    ("POST", "warehouse:sample-send", "own", (302, 403, 302, 403, 302)),
    ("POST", "warehouse:sample-send", "other", (404, 403, 302, 403, 302)),
    ("POST", "warehouse:sample-dispatch", "own", (302, 403, 302, 403, 302)),
    ("POST", "warehouse:sample-dispatch", "other", (404, 403, 302, 403, 302)),
    ("POST", "warehouse:sample-deliver", "own", (302, 403, 302, 403, 302)),
    ("POST", "warehouse:sample-deliver", "other", (404, 403, 302, 403, 302)),
    ("POST", "warehouse:sample-cancel", "own", (302, 403, 302, 403, 302)),
    ("POST", "warehouse:sample-cancel", "other", (404, 404, 302, 403, 302)),
    # Receivables: everyone but the warehouse reads, within their customers. Receipts, invoices,
    # slips and statements are entered by assistants, finance and the manager; finance ticks
    # receipts off; returns are the assistant's and the manager's; a write-off is proposed by
    # assistants or finance and approved by a manager who did not propose it, or by finance when it
    # is small (the world's is 10.00).
    ("GET", "receivables:ledger", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:ledger-export", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:customer-ar", "own", (200, 200, 403, 200, 200)),
    ("GET", "receivables:customer-ar", "other", (404, 404, 403, 200, 200)),
    ("GET", "receivables:receipt-list", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:receipt-create", None, (200, 403, 403, 200, 200)),
    ("GET", "receivables:finance-list", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:receipt-detail", "own", (200, 200, 403, 200, 200)),
    ("GET", "receivables:receipt-detail", "other", (404, 404, 403, 200, 200)),
    ("POST", "receivables:receipt-check", "own", (403, 403, 403, 302, 302)),
    ("POST", "receivables:receipt-reached-finance", "own", (403, 403, 403, 302, 302)),
    ("GET", "receivables:cod-list", None, (200, 200, 403, 200, 200)),
    ("POST", "receivables:cod-receive", "own", (302, 403, 403, 302, 302)),
    ("POST", "receivables:cod-receive", "other", (404, 403, 403, 302, 302)),
    ("GET", "receivables:credit-list", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:return-create", "own", (200, 403, 403, 403, 200)),
    ("GET", "receivables:return-create", "other", (404, 403, 403, 403, 200)),
    ("GET", "receivables:write-off-create", "own", (200, 403, 403, 200, 200)),
    ("GET", "receivables:write-off-create", "other", (404, 403, 403, 200, 200)),
    ("GET", "receivables:write-off-detail", "own", (200, 200, 403, 200, 200)),
    ("GET", "receivables:write-off-detail", "other", (404, 404, 403, 200, 200)),
    ("POST", "receivables:write-off-approve", "own", (403, 403, 403, 302, 302)),
    ("POST", "receivables:write-off-reject", "own", (403, 403, 403, 302, 302)),
    ("GET", "receivables:invoice-due", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:invoice-list", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:invoice-create", "own", (200, 403, 403, 200, 200)),
    ("GET", "receivables:invoice-create", "other", (404, 403, 403, 200, 200)),
    ("GET", "receivables:invoice-detail", "own", (200, 200, 403, 200, 200)),
    ("GET", "receivables:invoice-detail", "other", (404, 404, 403, 200, 200)),
    ("POST", "receivables:invoice-mail", "own", (302, 403, 403, 302, 302)),
    ("POST", "receivables:invoice-mail", "other", (404, 403, 403, 302, 302)),
    ("POST", "receivables:invoice-received", "own", (302, 403, 403, 302, 302)),
    ("GET", "receivables:slip-list", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:slip-create", "own", (200, 403, 403, 200, 200)),
    ("GET", "receivables:slip-create", "other", (404, 403, 403, 200, 200)),
    ("GET", "receivables:slip-detail", "own", (200, 200, 403, 200, 200)),
    ("GET", "receivables:slip-detail", "other", (404, 404, 403, 200, 200)),
    ("GET", "receivables:slip-pdf", "own", (200, 200, 403, 200, 200)),
    ("GET", "receivables:statement-list", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:statement-create", "own", (200, 403, 403, 200, 200)),
    ("GET", "receivables:statement-create", "other", (404, 403, 403, 200, 200)),
    ("GET", "receivables:statement-detail", "own", (200, 200, 403, 200, 200)),
    ("GET", "receivables:statement-detail", "other", (404, 404, 403, 200, 200)),
    ("GET", "receivables:statement-pdf", "own", (200, 200, 403, 200, 200)),
    ("GET", "receivables:statement-pdf", "other", (404, 404, 403, 200, 200)),
    ("GET", "receivables:statement-xlsx", "own", (200, 200, 403, 200, 200)),
    ("POST", "receivables:statement-sent", "own", (302, 403, 403, 302, 302)),
    ("POST", "receivables:statement-sent", "other", (404, 403, 403, 302, 302)),
    # Not sent yet: refused with a message, so the answer is the redirect back to it.
    ("POST", "receivables:statement-signed", "own", (302, 403, 403, 302, 302)),
    ("GET", "receivables:month-end", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:month-end-xlsx", None, (200, 200, 403, 200, 200)),
    ("GET", "receivables:collection", None, (200, 200, 403, 200, 200)),
    # Commissions: everyone but the warehouse reads, within their customers; assistants and the
    # manager draw up the month's statements; finance (and the manager) approve and pay;
    # the customer's salesperson or assistant confirms a paid one with the customer.
    ("GET", "commissions:accrual-list", None, (200, 200, 403, 200, 200)),
    ("GET", "commissions:missed", None, (200, 200, 403, 200, 200)),
    ("GET", "commissions:statement-list", None, (200, 200, 403, 200, 200)),
    # Everything payable is already on a statement: the form says so beside the month.
    ("POST", "commissions:statement-build", None, (200, 403, 403, 403, 200)),
    ("GET", "commissions:statement-detail", "own", (200, 200, 403, 200, 200)),
    ("GET", "commissions:statement-detail", "other", (404, 404, 403, 200, 200)),
    ("GET", "commissions:statement-xlsx", "own", (200, 200, 403, 200, 200)),
    ("GET", "commissions:statement-xlsx", "other", (404, 404, 403, 200, 200)),
    ("POST", "commissions:statement-approve", "own", (403, 403, 403, 302, 302)),
    ("POST", "commissions:statement-send-back", "own", (403, 403, 403, 302, 302)),
    # Not approved yet: refused with a message, so the answer is the redirect back to it.
    ("POST", "commissions:statement-pay", "own", (403, 403, 403, 302, 302)),
    ("POST", "commissions:statement-confirm", "own", (302, 302, 403, 302, 302)),
    ("POST", "commissions:statement-confirm", "other", (404, 404, 403, 302, 302)),
    # Reports: each report is opened by whoever holds the permission its figures need, within
    # their customers; the warehouse keeps the courier log and the register, without money.
    # The "object" of these rows is the report's name.
    ("GET", "reports:index", None, (200, 200, 200, 200, 200)),
    ("GET", "reports:report", "sales_outbound", (200, 200, 403, 200, 200)),
    ("GET", "reports:report", "sales_detail", (200, 200, 403, 200, 200)),
    ("GET", "reports:report", "rebate_settings", (200, 200, 403, 200, 200)),
    ("GET", "reports:report", "commission_statement", (200, 200, 403, 200, 200)),
    ("GET", "reports:report", "courier_log", (200, 200, 200, 200, 200)),
    ("GET", "reports:report", "sales_register", (200, 200, 200, 200, 200)),
    ("GET", "reports:report-xlsx", "summary", (200, 200, 403, 200, 200)),
    ("GET", "reports:report-xlsx", "courier_log", (200, 200, 200, 200, 200)),
    ("GET", "reports:report-print", "ar_aging", (200, 200, 403, 200, 200)),
    ("GET", "reports:charts", None, (200, 200, 403, 200, 200)),
    ("GET", "reports:chart-data", "ar_aging", (200, 200, 403, 200, 200)),
]

# Where a URL takes an argument, which object of the world it points at.
URL_ARGUMENT = {
    "customers:customer-detail": lambda w, obj: [w[obj].code],
    "customers:customer-edit": lambda w, obj: [w[obj].code],
    "customers:credit-application-submit": lambda w, obj: [w[obj].code],
    "customers:credit-application-decide": lambda w, obj: [w[f"{obj}_application"].pk],
    "catalog:customer-prices": lambda w, obj: [w[obj].code],
    "catalog:price-create": lambda w, obj: [w[obj].code],
    "catalog:rebate-create": lambda w, obj: [w[obj].code],
    "catalog:product-detail": lambda w, obj: [w["product"].pk],
    "catalog:product-edit": lambda w, obj: [w["product"].pk],
    "catalog:carrier-detail": lambda w, obj: [w["carrier"].pk],
    "catalog:carrier-suspend": lambda w, obj: [w["carrier"].pk],
    "catalog:carrier-reinstate": lambda w, obj: [w["suspended_carrier"].pk],
    "warehouse:order-ship": lambda w, obj: [stock_of(w)[f"{obj}_order"].number],
    "warehouse:order-shipments": lambda w, obj: [stock_of(w)[f"{obj}_order"].number],
    "orders:order-ship-in-parts": lambda w, obj: [stock_of(w)[f"{obj}_order"].number],
    "warehouse:stock-moves": lambda w, obj: [w["product"].pk],
    "warehouse:production-confirm": lambda w, obj: [stock_of(w)["request"].pk],
    "warehouse:production-receive": lambda w, obj: [stock_of(w)["request"].pk],
    "warehouse:outbound-detail": lambda w, obj: [stock_of(w)[f"{obj}_outbound"].number],
    "warehouse:delivery-note": lambda w, obj: [stock_of(w)[f"{obj}_outbound"].number],
    # The shipping pages are opened on a world with COD shipments, so they have rows to show.
    "warehouse:courier-log": lambda w, obj: shipping_of(w) and [],
    "warehouse:courier-log-export": lambda w, obj: shipping_of(w) and [],
    "warehouse:carriers-flagged": lambda w, obj: shipping_of(w) and [],
    "warehouse:end-of-day": lambda w, obj: shipping_of(w) and [],
    "warehouse:end-of-day-plan": lambda w, obj: shipping_of(w) and [],
    "warehouse:next-morning": lambda w, obj: shipping_of(w) and [],
    "warehouse:shipping-create": lambda w, obj: [shipping_of(w)[obj].outbound.number],
    "warehouse:shipping-order-panel": lambda w, obj: [shipping_of(w)[obj].outbound.order.number],
    "warehouse:shipping-cod-returned": lambda w, obj: [shipping_of(w)[obj].pk],
    "warehouse:shipping-note-returned": lambda w, obj: [shipping_of(w)[obj].pk],
    "warehouse:sample-detail": lambda w, obj: [sample_of(w, obj, "requested")],
    "warehouse:sample-send": lambda w, obj: [sample_of(w, obj, "requested")],
    "warehouse:sample-dispatch": lambda w, obj: [sample_of(w, obj, "sent_to_factory")],
    "warehouse:sample-deliver": lambda w, obj: [sample_of(w, obj, "dispatched")],
    "warehouse:sample-cancel": lambda w, obj: [sample_of(w, obj, "requested")],
    "receivables:customer-ar": lambda w, obj: [w[obj].code],
    "receivables:receipt-detail": lambda w, obj: [money_of(w)[obj]["receipt"].number],
    "receivables:receipt-check": lambda w, obj: [money_of(w)[obj]["receipt"].number],
    "receivables:receipt-reached-finance": lambda w, obj: [money_of(w)[obj]["receipt"].number],
    "receivables:cod-receive": lambda w, obj: [shipping_of(w)[obj].pk],
    "receivables:return-create": lambda w, obj: [stock_of(w)[f"{obj}_outbound"].number],
    "receivables:write-off-create": lambda w, obj: [w[obj].code],
    "receivables:write-off-detail": lambda w, obj: [money_of(w)[obj]["write_off"].pk],
    "receivables:write-off-approve": lambda w, obj: [money_of(w)[obj]["write_off"].pk],
    "receivables:write-off-reject": lambda w, obj: [money_of(w)[obj]["write_off"].pk],
    "receivables:invoice-create": lambda w, obj: money_of(w) and [w[obj].code],
    "receivables:invoice-detail": lambda w, obj: [money_of(w)[obj]["invoice"].pk],
    "receivables:invoice-mail": lambda w, obj: [money_of(w)[obj]["invoice"].pk],
    "receivables:invoice-received": lambda w, obj: [money_of(w)[obj]["invoice"].pk],
    "receivables:slip-create": lambda w, obj: [money_of(w)[obj]["unslipped"].number],
    "receivables:slip-detail": lambda w, obj: [money_of(w)[obj]["slip"].number],
    "receivables:slip-pdf": lambda w, obj: [money_of(w)[obj]["slip"].number],
    "receivables:statement-create": lambda w, obj: [w[obj].code],
    "receivables:statement-detail": lambda w, obj: [money_of(w)[obj]["statement"].number],
    "receivables:statement-pdf": lambda w, obj: [money_of(w)[obj]["statement"].number],
    "receivables:statement-xlsx": lambda w, obj: [money_of(w)[obj]["statement"].number],
    "receivables:statement-sent": lambda w, obj: [money_of(w)[obj]["statement"].number],
    "receivables:statement-signed": lambda w, obj: [money_of(w)[obj]["statement"].number],
    # The money lists are opened on a world with receipts, invoices and statements to show.
    "receivables:ledger": lambda w, obj: money_of(w) and [],
    "receivables:ledger-export": lambda w, obj: money_of(w) and [],
    "receivables:receipt-list": lambda w, obj: money_of(w) and [],
    "receivables:finance-list": lambda w, obj: money_of(w) and [],
    "receivables:cod-list": lambda w, obj: shipping_of(w) and [],
    "receivables:credit-list": lambda w, obj: money_of(w) and [],
    "receivables:invoice-due": lambda w, obj: money_of(w) and [],
    "receivables:invoice-list": lambda w, obj: money_of(w) and [],
    "receivables:slip-list": lambda w, obj: money_of(w) and [],
    "receivables:statement-list": lambda w, obj: money_of(w) and [],
    "receivables:month-end": lambda w, obj: money_of(w) and [],
    "receivables:month-end-xlsx": lambda w, obj: money_of(w) and [],
    "receivables:collection": lambda w, obj: money_of(w) and [],
    "commissions:accrual-list": lambda w, obj: commission_of(w) and [],
    "commissions:missed": lambda w, obj: commission_of(w) and [],
    "commissions:statement-list": lambda w, obj: commission_of(w) and [],
    "commissions:statement-build": lambda w, obj: commission_of(w) and [],
    "commissions:statement-detail": lambda w, obj: [commission_of(w)[obj].number],
    "commissions:statement-xlsx": lambda w, obj: [commission_of(w)[obj].number],
    "commissions:statement-approve": lambda w, obj: [commission_of(w)[obj].number],
    "commissions:statement-send-back": lambda w, obj: [commission_of(w)[obj].number],
    "commissions:statement-pay": lambda w, obj: [commission_of(w)[obj].number],
    "commissions:statement-confirm": lambda w, obj: [commission_of(w)[obj].number],
    "workbench:reminder-done": lambda w, obj: [999_999],
    "reports:index": lambda w, obj: commission_of(w) and [],
    "reports:report": lambda w, obj: commission_of(w) and [obj],
    "reports:report-xlsx": lambda w, obj: commission_of(w) and [obj],
    "reports:report-print": lambda w, obj: commission_of(w) and [obj],
    "reports:charts": lambda w, obj: commission_of(w) and [],
    "reports:chart-data": lambda w, obj: commission_of(w) and [obj],
}


def commission_of(world) -> dict:
    """Built once per world: each customer (a rebate customer) pays the rest of its posted
    outbound, and its assistant draws up the month's commission statement, submitted."""
    if "commission" in world:
        return world["commission"]
    from django.utils import timezone

    from salesdesk.commissions import services as commissions
    from salesdesk.receivables import services as receivables
    from salesdesk.receivables.selectors import open_sales

    money_of(world)
    built = {}
    for key in ("own", "other"):
        customer = world[key]
        for sale in open_sales(customer):
            receivables.receipt_create(
                customer=customer,
                by=customer.assistant,
                amount=sale.open_amount,
                received_on=timezone.localdate(),
                method="transfer",
                allocations=[receivables.AllocationInput(sale)],
            )
        (built[key],) = commissions.statements_build(month=timezone.localdate(), by=customer.assistant)
    world["commission"] = built
    return built


def money_of(world) -> dict:
    """Built once per world: per customer (both take invoices), on its posted outbound a part
    payment with a slip, a second receipt without one, an invoice, a statement of the last
    month and a write-off proposed by its assistant."""
    if "money" in world:
        return world["money"]
    import datetime as dt

    from django.utils import timezone

    from salesdesk.customers.models import Customer
    from salesdesk.receivables import services as receivables
    from salesdesk.receivables import services_credits as credits
    from salesdesk.receivables import services_documents as documents

    today = timezone.localdate()
    stock = stock_of(world)  # orders first: taking invoices needs master data the world lacks
    built = {}
    for key in ("own", "other"):
        Customer.objects.filter(pk=world[key].pk).update(invoice_required=True, invoice_day=25)
        customer = Customer.objects.get(pk=world[key].pk)
        world[key] = customer
        outbound, by = stock[f"{key}_outbound"], customer.assistant
        paid = receivables.receipt_create(
            customer=customer,
            by=by,
            amount=Decimal("100.00"),
            received_on=today,
            method="transfer",
            allocations=[receivables.AllocationInput(outbound, Decimal("100.00"))],
            note="先付一部分",
        )
        unslipped = receivables.receipt_create(
            customer=customer, by=by, amount=Decimal("50.00"), received_on=today, method="cash", note="再付"
        )
        built[key] = {
            "receipt": paid,
            "unslipped": unslipped,
            "slip": documents.slip_issue(receipt=paid, by=by),
            "invoice": documents.invoice_issue(
                customer=customer, by=by, number=f"FP-{key}", issued_on=today, outbounds=[outbound]
            ),
            "statement": documents.statement_create(
                customer=customer, by=by, period_from=today - dt.timedelta(days=30), period_to=today
            ),
            "write_off": credits.write_off_request(
                customer=customer,
                by=by,
                items=[credits.WriteOffInput(outbound, Decimal("10.00"))],
                reason="零头",
            ),
        }
    world["money"] = built
    return built


def sample_of(world, obj: str, status: str) -> int:
    """A sample for the world's `obj` customer, asked by its assistant and moved on to `status`."""
    from salesdesk.warehouse import services_samples as samples

    customer = world[obj]
    sample = samples.sample_request(
        customer=customer,
        by=customer.assistant,
        lines=[samples.SampleLineInput(product=world["product"], quantity=Decimal("1"))],
    )
    if status != "requested":
        samples.sample_send_to_factory(sample=sample, by=customer.assistant)
    if status == "dispatched":
        samples.sample_dispatch(
            sample=sample, by=customer.assistant, carrier=world["carrier"], tracking_number="T1"
        )
    return sample.pk


def shipping_of(world) -> dict:
    """Built once per world: per customer, an express COD order of 2 × A-101 posted and sent by
    the world's carrier ten days ago, its money and signed note still out (overdue)."""
    if "shipping" in world:
        return world["shipping"]
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from salesdesk.orders import services as orders
    from salesdesk.warehouse import services as warehouse

    warehouse.stock_inbound(product=world["product"], quantity=Decimal("10"), by=world["own"].assistant)
    built = {}
    for key in ("own", "other"):
        customer, by = world[key], world[key].assistant
        line = orders.LineInput(product=world["product"], quantity=Decimal("2"))
        order = orders.order_create(
            by=by,
            customer=customer,
            channel="phone",
            ship_method="express",
            carrier=world["carrier"],
            collection_method="cod",
            lines=[line],
        )
        order = orders.order_release(order=orders.order_register(order=order, by=by), by=by)
        take = warehouse.ShipQuantity(order_line=order.lines.get(), quantity=Decimal("2"))
        posted = warehouse.outbound_post(
            outbound=warehouse.outbound_create(order=order, by=by, quantities=[take]), by=by
        )
        built[key] = warehouse.shipment_record(
            outbound=posted,
            by=by,
            carrier=world["carrier"],
            tracking_number=f"LHT-{key}",
            shipped_on=timezone.localdate() - dt.timedelta(days=10),
            cod_amount=posted.amount,
            note_required=True,
        )
    world["shipping"] = built
    return built


def stock_of(world) -> dict:
    """Built once per world: stock of the product and, per customer, a posted outbound and a
    released order still to ship (in parts); plus a production request for a shortfall."""
    if "stock" in world:
        return world["stock"]
    from salesdesk.orders import services as orders
    from salesdesk.warehouse import services as stock
    from salesdesk.warehouse.models import ProductionRequest

    product = world["product"]
    stock.stock_inbound(product=product, quantity=Decimal("100"), by=world["own"].assistant)

    def registered(customer, quantity: str, *, parts: bool):
        line = orders.LineInput(product=product, quantity=Decimal(quantity))
        order = orders.order_create(
            by=customer.assistant,
            customer=customer,
            channel="phone",
            ship_method="pickup",
            collection_method="cash",
            ship_in_parts=parts,
            lines=[line],
        )
        return orders.order_register(order=order, by=customer.assistant)

    built = {}
    for key in ("own", "other"):
        customer = world[key]
        shipped = orders.order_release(order=registered(customer, "5", parts=False), by=customer.assistant)
        line = stock.ShipQuantity(order_line=shipped.lines.get(), quantity=Decimal("5"))
        draft = stock.outbound_create(order=shipped, by=customer.assistant, quantities=[line])
        built[f"{key}_outbound"] = stock.outbound_post(outbound=draft, by=customer.assistant)
        built[f"{key}_order"] = orders.order_release(
            order=registered(customer, "10", parts=True), by=customer.assistant
        )
    registered(world["own"], "200", parts=False)  # more than the stock: production is asked
    built["request"] = ProductionRequest.objects.get(product=product)
    world["stock"] = built
    return built


def _ship_data(w) -> dict:
    # Both customers' open lines: the form takes the fields of the order it shows.
    lines = {f"line_{stock_of(w)[f'{k}_order'].lines.get().pk}": "3" for k in ("own", "other")}
    return {"seen_posted": "0", **lines}


# What a POST sends: valid input, so that the answer shows the permission, not a form error.
POST_DATA = {
    "customers:credit-application-submit": lambda w: {"credit_days": "45", "reason": "老客户"},
    "customers:credit-application-decide": lambda w: {"approve": "1", "note": "同意"},
    "catalog:price-create": lambda w: {
        "product": w["product"].pk,
        "unit_price": "355.5",
        "valid_from": "2026-06-01",
    },
    "catalog:rebate-create": lambda w: {
        "product": w["product"].pk,
        "rebate_unit_price": "11",
        "valid_from": "2026-06-01",
        "payee_name": "黄先生",
    },
    "catalog:carrier-suspend": lambda w: {"reason": "代收货款逾期"},
    "catalog:carrier-reinstate": lambda w: {"note": "已补回"},
    "warehouse:order-ship": _ship_data,
    "orders:order-ship-in-parts": lambda w: {"ship_in_parts": "0"},
    "warehouse:stock-inbound": lambda w: {"product": w["product"].pk, "quantity": "12", "reason": "一车间"},
    "warehouse:stock-adjust": lambda w: {"product": w["product"].pk, "counted": "77", "reason": "盘点"},
    "warehouse:production-confirm": lambda w: {"date": days_ago(-7).isoformat(), "note": "二车间"},
    "warehouse:production-receive": lambda w: {f"r{stock_of(w)['request'].pk}-quantity": "5"},
    "warehouse:shipping-create": lambda w: {
        "carrier": w["carrier"].pk,
        "tracking_number": "LHT-9",
        "shipped_on": shipping_of(w)["own"].shipped_on.isoformat(),
        "cod_amount": "0",
    },
    "warehouse:sample-create": lambda w: {
        "customer": w["own"].code,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "A-101",
        "lines-0-quantity": "2",
    },
    "warehouse:sample-dispatch": lambda w: {"carrier": w["carrier"].pk, "tracking_number": "LHT-1"},
    "warehouse:sample-cancel": lambda w: {"reason": "客户不要了"},
    "receivables:receipt-reached-finance": lambda w: {"on": ""},
    "receivables:cod-receive": lambda w: {"received_on": "", "note": ""},
    "receivables:write-off-reject": lambda w: {"reason": "还能收回"},
    "receivables:invoice-mail": lambda w: {
        "tracking_number": "LHT-FP-1",
        "mailed_on": money_of(w)["own"]["invoice"].issued_on.isoformat(),
    },
    "receivables:invoice-received": lambda w: {"on": money_of(w)["own"]["invoice"].issued_on.isoformat()},
    "receivables:statement-sent": lambda w: {"on": money_of(w)["own"]["statement"].period_to.isoformat()},
    "receivables:statement-signed": lambda w: {"on": money_of(w)["own"]["statement"].period_to.isoformat()},
    "commissions:statement-build": lambda w: {"month": f"{days_ago(0):%Y-%m}"},
    "commissions:statement-send-back": lambda w: {"reason": "核对有误"},
    "commissions:statement-pay": lambda w: {"paid_on": days_ago(0).isoformat(), "reference": "付佣 1"},
}

# The apps whose every page must be declared above.
NAMESPACES = ("customers", "catalog", "workbench", "receivables", "commissions", "reports")


@pytest.fixture
def world(assistant, salesperson, other_assistant, other_salesperson, manager):
    return build_world(
        assistant=assistant,
        salesperson=salesperson,
        other_assistant=other_assistant,
        other_salesperson=other_salesperson,
        manager=manager,
    )


def url_of(world, name: str, obj: str | None) -> str:
    args = URL_ARGUMENT[name](world, obj) if name in URL_ARGUMENT else []
    return reverse(name, args=args)


def request(client, method: str, name: str, url: str, world):
    if method == "POST":
        return client.post(url, POST_DATA.get(name, lambda w: {})(world))
    return client.get(url)


CASES = [
    pytest.param(method, name, obj, role, expected[i], id=f"{method} {name} {obj or '-'} {role}")
    for method, name, obj, expected in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "obj", "role", "expected"), CASES)
def test_page_answers_as_the_matrix_says(request_fixture, world, method, name, obj, role, expected):
    user = request_fixture.getfixturevalue(role)
    url = url_of(world, name, obj)
    response = request(client_for(user), method, name, url, world)
    assert response.status_code == expected, f"{role} {method} {url}"


@pytest.fixture
def request_fixture(request):
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "obj"), sorted({(m, n, o or "") for m, n, o, _e in MATRIX}))
def test_every_page_sends_an_anonymous_visitor_to_the_login(client, world, method, name, obj):
    url = url_of(world, name, obj or None)
    response = request(client, method, name, url, world)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_every_page_of_these_apps_is_in_the_matrix():
    # Rows of an app not yet listed in NAMESPACES are checked from the day it is listed.
    declared = {name for _m, name, _o, _e in MATRIX if name.split(":")[0] in NAMESPACES}
    resolver = get_resolver()
    existing = set()
    for namespace in NAMESPACES:
        sub = resolver.namespace_dict[namespace][1]
        existing |= {f"{namespace}:{key}" for key in sub.reverse_dict if isinstance(key, str)}
    assert existing - declared == set(), "declare who may open these pages in MATRIX"
    assert declared - existing == set(), "MATRIX names pages that no longer exist"


def page_text(response) -> str:
    """A page's HTML, a PDF's text, or every cell of a downloaded sheet with numbers written as
    pages print them."""
    if response.get("Content-Type") == "application/pdf":
        from tests.warehouse.test_documents import pdf_text

        return pdf_text(response.content)
    if not response.streaming:
        return response.content.decode()
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    numbers = [f"{v:.2f} {v:.4f}" for v in cells if isinstance(v, int | float)]
    return " ".join([*map(str, cells), *numbers])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["customers:customer-list", "customers:customer-export", "catalog:price-list", "catalog:price-export"],
)
@pytest.mark.parametrize("role", ["assistant", "salesperson"])
def test_lists_and_exports_hold_only_the_users_own_customers(request_fixture, world, name, role):
    response = client_for(request_fixture.getfixturevalue(role)).get(reverse(name))
    text = page_text(response)
    assert world["own"].code in text
    assert world["other"].code not in text
