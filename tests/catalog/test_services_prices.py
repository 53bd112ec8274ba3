import datetime as dt
from decimal import Decimal

import pytest

from salesdesk.catalog import selectors, services
from salesdesk.catalog.models import CustomerPrice, RebatePrice
from salesdesk.core.errors import Conflict, DomainError, NotAllowed
from salesdesk.core.models import AuditEvent
from salesdesk.core.services import user_grants_set
from tests.factories import ProductFactory, make_customer

pytestmark = pytest.mark.django_db

JAN_1 = dt.date(2026, 1, 1)
MAR_1 = dt.date(2026, 3, 1)


@pytest.fixture
def customer(assistant, salesperson):
    return make_customer(by=assistant, salesperson=salesperson, rebate=True)


@pytest.fixture
def product(db):
    return ProductFactory(model_code="A-101", standard_price=Decimal("380.0000"))


def set_price(customer, product, by, price: str, on: dt.date):
    return services.price_set(
        customer=customer, product=product, unit_price=Decimal(price), valid_from=on, by=by
    )


def test_the_price_in_force_is_the_latest_that_started_on_or_before_the_date(customer, product, assistant):
    # given two agreed prices, from 1 January and from 1 March
    set_price(customer, product, assistant, "349.6", JAN_1)
    set_price(customer, product, assistant, "359.6", MAR_1)

    # then each date has its own price
    def on(date):
        return selectors.agreed_price(customer=customer, product=product, on=date)

    assert on(dt.date(2025, 12, 31)) is None
    assert on(JAN_1) == Decimal("349.6000")
    assert on(dt.date(2026, 2, 28)) == Decimal("349.6000")
    assert on(MAR_1) == Decimal("359.6000")
    assert on(dt.date(2030, 1, 1)) == Decimal("359.6000")


def test_a_new_price_keeps_the_old_one_in_the_history(customer, product, assistant):
    set_price(customer, product, assistant, "349.6", JAN_1)
    set_price(customer, product, assistant, "359.6", MAR_1)
    history = [(p.unit_price, p.valid_from) for p in selectors.price_history(customer=customer)]
    assert history == [(Decimal("359.6000"), MAR_1), (Decimal("349.6000"), JAN_1)]


def test_prices_in_force_lists_one_row_per_product(customer, assistant):
    paint, putty = ProductFactory(model_code="A-101"), ProductFactory(model_code="B-220")
    set_price(customer, paint, assistant, "349.6", JAN_1)
    set_price(customer, paint, assistant, "359.6", MAR_1)
    set_price(customer, putty, assistant, "243.8", JAN_1)
    rows = selectors.prices_in_force(customer=customer, on=dt.date(2026, 2, 1))
    assert [(r.product.model_code, r.unit_price) for r in rows] == [
        ("A-101", Decimal("349.6000")),
        ("B-220", Decimal("243.8000")),
    ]


def test_prices_are_rounded_half_up_to_four_places(customer, product, assistant):
    price, _rebates = set_price(customer, product, assistant, "349.60005", JAN_1)
    assert price.unit_price == Decimal("349.6001")


def test_a_second_price_on_the_same_start_date_is_refused_naming_valid_from(customer, product, assistant):
    set_price(customer, product, assistant, "349.6", JAN_1)
    with pytest.raises(Conflict) as refused:
        set_price(customer, product, assistant, "300", JAN_1)
    assert refused.value.field == "valid_from"
    assert "2026-01-01" in str(refused.value.message)
    assert CustomerPrice.objects.get().unit_price == Decimal("349.6000")


def test_a_negative_price_is_refused(customer, product, assistant):
    with pytest.raises(DomainError):
        set_price(customer, product, assistant, "-1", JAN_1)
    assert not CustomerPrice.objects.exists()


def test_setting_a_price_returns_the_rebates_in_force_for_that_product(customer, product, assistant):
    # given a rebate on the product, and one on another product
    other = ProductFactory(model_code="B-220")
    for item in (product, other):
        services.rebate_set(
            customer=customer,
            product=item,
            rebate_unit_price=Decimal("12"),
            valid_from=JAN_1,
            by=assistant,
            payee_name="黄先生",
        )

    # when the selling price changes
    _price, rebates = set_price(customer, product, assistant, "359.6", MAR_1)

    # then only the product's own rebate is shown for review
    assert [(r.product.model_code, r.rebate_unit_price) for r in rebates] == [("A-101", Decimal("12.0000"))]


def test_setting_a_price_is_in_the_audit_trail(customer, product, assistant):
    set_price(customer, product, assistant, "349.6", JAN_1)
    event = AuditEvent.objects.get(action="price.set")
    assert event.by == assistant
    assert "349.6000" in event.summary


def rebate(customer, product, by, amount: str = "12", on: dt.date = JAN_1):
    return services.rebate_set(
        customer=customer,
        product=product,
        rebate_unit_price=Decimal(amount),
        valid_from=on,
        by=by,
        payee_name="黄先生",
        payee_bank="中国工商银行佛山分行",
        payee_account="6222 0000 1234 5678",
    )


def test_a_user_with_the_commission_permission_sets_a_rebate(customer, product, assistant):
    row = rebate(customer, product, assistant, "12.5")
    assert (row.rebate_unit_price, row.payee_name, row.created_by) == (
        Decimal("12.5000"),
        "黄先生",
        assistant,
    )
    assert AuditEvent.objects.filter(action="rebate.set", by=assistant).exists()


def test_setting_a_rebate_needs_the_commission_permission(customer, product, other_assistant):
    with pytest.raises(NotAllowed):
        rebate(customer, product, other_assistant)
    assert not RebatePrice.objects.exists()


def test_a_rebate_above_the_users_limit_is_refused(customer, product, assistant, manager):
    # given the manager allows this assistant at most 10.00 per unit
    user_grants_set(user=assistant, by=manager, grants={"set_rebate"}, max_rebate_per_unit=Decimal("10"))
    assistant.refresh_from_db()

    # then 10.00 is fine and 10.01 is not
    rebate(customer, product, assistant, "10.00", JAN_1)
    with pytest.raises(NotAllowed) as refused:
        rebate(customer, product, assistant, "10.01", MAR_1)
    assert refused.value.field == "rebate_unit_price"
    assert RebatePrice.objects.count() == 1


def test_a_rebate_for_a_customer_without_rebates_is_refused(assistant, salesperson, product):
    cash_customer = make_customer(by=assistant, salesperson=salesperson, rebate=False)
    with pytest.raises(DomainError) as refused:
        rebate(cash_customer, product, assistant)
    assert refused.value.field == "customer"
    assert not RebatePrice.objects.exists()


def test_posting_reads_per_product_the_rebate_that_started_last_on_or_before_the_day(
    customer, product, assistant
):
    other = ProductFactory(model_code="B-202")
    unrebated = ProductFactory(model_code="C-303")
    rebate(customer, product, assistant, "12", JAN_1)
    rebate(customer, product, assistant, "13", MAR_1)
    rebate(customer, product, assistant, "14", dt.date(2026, 5, 1))  # not yet in force on the day
    rebate(customer, other, assistant, "5", JAN_1)

    found = selectors.rebate_per_product(
        customer=customer, product_ids=[product.pk, other.pk, unrebated.pk], on=dt.date(2026, 4, 1)
    )

    assert {pk: row.rebate_unit_price for pk, row in found.items()} == {
        product.pk: Decimal("13.0000"),
        other.pk: Decimal("5.0000"),
    }
    # the same rows the rebate list shows as in force
    in_force = selectors.rebates_in_force(customer=customer, on=dt.date(2026, 4, 1))
    assert sorted(row.pk for row in found.values()) == sorted(row.pk for row in in_force)


def test_a_second_rebate_on_the_same_start_date_is_refused_naming_valid_from(customer, product, assistant):
    rebate(customer, product, assistant, "12")
    with pytest.raises(Conflict) as refused:
        rebate(customer, product, assistant, "13")
    assert refused.value.field == "valid_from"


def test_the_rebate_in_force_follows_the_start_dates(customer, product, assistant):
    rebate(customer, product, assistant, "12", JAN_1)
    rebate(customer, product, assistant, "15", MAR_1)
    feb = selectors.rebates_in_force(customer=customer, on=dt.date(2026, 2, 1), product=product)
    assert [r.rebate_unit_price for r in feb] == [Decimal("12.0000")]
    mar = selectors.rebates_in_force(customer=customer, on=MAR_1, product=product)
    assert [r.rebate_unit_price for r in mar] == [Decimal("15.0000")]
