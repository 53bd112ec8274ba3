"""The workbench lists what needs doing now, only for the user's own customers."""

import pytest
from django.urls import reverse

from salesdesk.catalog import services as catalog_services
from salesdesk.customers import services
from salesdesk.customers.models import Customer
from salesdesk.workbench.selectors import workbench_items
from tests.conftest import client_for
from tests.factories import CarrierFactory, make_customer

pytestmark = pytest.mark.django_db


def section(user, key: str):
    return next((s for s in workbench_items(user=user) if s.key == key), None)


def test_an_incomplete_customer_is_listed_with_what_it_misses(assistant):
    customer = make_customer(by=assistant, address="", settlement="")
    items = section(assistant, "incomplete_customers").items
    assert [i.title for i in items] == [str(customer)]
    assert items[0].url == reverse("customers:customer-detail", args=[customer.code])
    labels = [str(Customer._meta.get_field(f).verbose_name) for f in ("address", "salesperson", "settlement")]
    assert items[0].detail == "、".join(labels)


def test_complete_and_closed_customers_are_not_listed(assistant, salesperson):
    make_customer(by=assistant, salesperson=salesperson)
    make_customer(by=assistant, address="", status="closed")
    assert section(assistant, "incomplete_customers").items == []


def test_only_the_users_own_customers_are_listed(assistant, other_assistant):
    make_customer(by=other_assistant, address="")
    assert section(assistant, "incomplete_customers").items == []
    assert len(section(other_assistant, "incomplete_customers").items) == 1


def test_pending_credit_applications_are_listed_for_the_manager(assistant, manager):
    customer = make_customer(by=assistant)
    services.credit_application_submit(customer=customer, by=assistant, credit_days=30)
    items = section(manager, "credit_applications").items
    assert len(items) == 1
    assert items[0].url.endswith("#credit")
    assert "30" in items[0].detail


def test_the_manager_has_each_section_once_the_approvals_among_the_first(manager):
    keys = [s.key for s in workbench_items(user=manager)]

    assert len(keys) == len(set(keys)), keys
    approvals = keys[: keys.index("overrides") + 2]
    assert {"credit_applications", "commission_statements"} <= set(approvals), keys
    assert {"orders_on_hold", "invoices_due", "receivables_due"} <= set(keys)  # and the assistants' day


def test_the_warehouse_sees_no_customer_or_credit_sections(warehouse):
    keys = {s.key for s in workbench_items(user=warehouse)}
    assert "incomplete_customers" not in keys
    assert "credit_applications" not in keys


def test_suspended_carriers_are_listed_with_the_reason(manager, assistant):
    carrier = CarrierFactory(name="平安达")
    catalog_services.carrier_suspend(carrier=carrier, by=manager, reason="回单逾期未回")
    items = section(assistant, "suspended_carriers").items
    assert [(i.title, i.detail) for i in items] == [("平安达", "回单逾期未回")]


@pytest.mark.parametrize("role", ["assistant", "salesperson", "warehouse", "finance", "manager"])
def test_the_workbench_page_opens_for_every_role(request, role):
    response = client_for(request.getfixturevalue(role)).get(reverse("workbench:home"))
    assert response.status_code == 200
    assert 'data-section="suspended_carriers"' in response.content.decode()


# --- a section shows the most pressing items; the page behind it has them all ----------------


def test_a_section_past_its_limit_says_there_is_more_and_where_they_all_are(assistant):
    customers = [make_customer(by=assistant, address="") for _ in range(3)]

    (cut,) = [s for s in workbench_items(user=assistant, limit=2) if s.key == "incomplete_customers"]
    (whole,) = [s for s in workbench_items(user=assistant, limit=3) if s.key == "incomplete_customers"]

    assert len(cut.items) == 2 and cut.more is True
    assert cut.more_url == reverse("customers:customer-list") + "?incomplete=on"
    assert [i.title for i in whole.items] == [str(c) for c in reversed(customers)]  # the newest first
    assert whole.more is False
    assert [i.title for i in cut.items] == [i.title for i in whole.items[:2]]


def test_the_page_shows_ten_items_a_section_and_a_link_to_all(assistant):
    for _ in range(11):
        make_customer(by=assistant, address="")

    page = client_for(assistant).get(reverse("workbench:home"))

    shown = next(s for s in page.context["sections"] if s.key == "incomplete_customers")
    assert len(shown.items) == 10 and shown.more
    html = page.content.decode()
    card = html[html.index('data-section="incomplete_customers"') :]
    card = card[: card.index("</ul>")]
    assert ">10+</span>" in card
    assert f'href="{reverse("customers:customer-list")}?incomplete=on" data-more' in card
    # The API and the morning's reminders list more than the page.
    assert len(section(assistant, "incomplete_customers").items) == 11
