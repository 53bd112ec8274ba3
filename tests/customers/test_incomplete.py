"""Which customers lack master data, asked of the database (`selectors.incomplete`) and of each
customer in Python (`customer_missing_fields`): the same customers, whatever they lack; and the
lists that use it — the workbench's section, the customer list's filter, the API's."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.customers import selectors
from salesdesk.customers.models import ApplicationStatus, Contact, CreditTermApplication, Customer
from salesdesk.workbench.selectors import workbench_items
from tests.api.conftest import api_as  # noqa: F401  (fixture)
from tests.factories import COMPLETE_MASTER_DATA, make_customer

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)

# What a customer may lack, one or two at a time, so that each rule is met on its own as well:
# its own columns, its people, a phone, an approved credit-term application for its credit days,
# the invoice fields (which only a customer needing invoices needs) and the receipt seal (which
# only one without invoices needs).
DEFECTS = [
    *selectors.REQUIRED_TEXT,
    "salesperson",
    "assistant",
    "no_contact",
    "no_phone",
    "credit_unapproved",
    "credit_too_short",
    "credit_pending_only",
    "invoice_day",
    "invoice_title",
    "tax_id",
    "receipt_seal",
]
CUSTOMER = st.fixed_dictionaries(
    {
        "defects": st.sets(st.sampled_from(DEFECTS), max_size=2),
        "invoice_required": st.booleans(),
        "credit": st.booleans(),
    }
)


class _Discarded(Exception):
    """Raised to roll an example's customers back."""


def _create(spec: dict, people: dict) -> Customer:
    n, defects = next(_codes), spec["defects"]
    fields = {
        **COMPLETE_MASTER_DATA,
        "name": f"测试客户{n}",
        "invoice_day": 25,
        "invoice_title": f"测试客户{n}",
        "tax_id": "91440606MA4UXXXX1X",
    }
    texts = (*selectors.REQUIRED_TEXT, "invoice_title", "tax_id", "receipt_seal")
    fields.update({f: "" for f in texts if f in defects})
    if "invoice_day" in defects:
        fields["invoice_day"] = None
    credit = spec["credit"] or any(d.startswith("credit_") for d in defects)
    customer = Customer.objects.create(
        code=f"ZZ{n:05d}",
        series="GS",
        salesperson=None if "salesperson" in defects else people["salesperson"],
        assistant=None if "assistant" in defects else people["assistant"],
        credit_days=30 if credit else 0,
        invoice_required=spec["invoice_required"],
        **fields,
    )
    if "no_contact" not in defects:
        phone = "" if "no_phone" in defects else "13800138001"
        Contact.objects.create(customer=customer, name="黄志明", phone=phone)
    applications = []
    if credit and not defects & {"credit_unapproved", "credit_pending_only"}:
        applications.append((15 if "credit_too_short" in defects else 45, ApplicationStatus.APPROVED))
    if "credit_pending_only" in defects:
        applications.append((60, "pending"))
    for days, status in applications:
        decided = {"approver": people["manager"], "decided_on": dt.date(2026, 1, 5)}
        if status == "pending":
            decided = {}
        CreditTermApplication.objects.create(
            customer=customer, credit_days=days, status=status, applicant=people["assistant"], **decided
        )
    return customer


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(CUSTOMER, min_size=1, max_size=6))
def test_the_database_finds_the_customers_python_finds_lacking(specs, assistant, salesperson, manager):
    people = {"assistant": assistant, "salesperson": salesperson, "manager": manager}
    try:
        with transaction.atomic():
            created = [_create(spec, people) for spec in specs]
            ours = Customer.objects.filter(pk__in=[c.pk for c in created])

            found = set(selectors.incomplete(ours).values_list("pk", flat=True))

            fresh = ours.prefetch_related("contacts", "credit_applications")
            assert found == {c.pk for c in fresh if selectors.customer_missing_fields(c)}
            raise _Discarded
    except _Discarded:
        pass


def _section(user, limit: int = 10):
    return next(s for s in workbench_items(user=user, limit=limit) if s.key == "incomplete_customers")


def test_the_workbench_finds_an_old_incomplete_customer_behind_many_complete_newer_ones(
    assistant, salesperson
):
    old = make_customer(by=assistant, name="江门老客户油漆店", complete=False, salesperson=salesperson)
    for n in range(205):  # more than the section used to read
        make_customer(by=assistant, name=f"佛山新客户{n:03d}", salesperson=salesperson)

    section = _section(assistant)

    assert [item.title for item in section.items] == [str(old)]
    assert "address" in section.items[0].detail or "地址" in section.items[0].detail


def test_the_customer_list_and_the_api_filter_to_the_incomplete_ones(
    client,
    api_as,  # noqa: F811
    assistant,
    salesperson,
):
    lacking = make_customer(by=assistant, name="江门新会彩虹油漆店", complete=False, salesperson=salesperson)
    complete = make_customer(by=assistant, name="佛山市美家装饰工程有限公司", salesperson=salesperson)
    client.force_login(assistant)

    page = client.get("/customers/", {"incomplete": "on"})
    everyone = client.get("/customers/")

    assert page.status_code == 200
    assert [c.pk for c in page.context["page"].object_list] == [lacking.pk]
    assert {c.pk for c in everyone.context["page"].object_list} == {lacking.pk, complete.pk}
    answer = api_as(assistant).get("/customers", {"incomplete": "true"})
    assert answer.status_code == 200
    assert [row["code"] for row in answer.json()["items"]] == [lacking.code]
    # The workbench's "see all" link is this filter.
    section = _section(assistant, limit=0)
    assert section.more_url.endswith("/customers/?incomplete=on")
