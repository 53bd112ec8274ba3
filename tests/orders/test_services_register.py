from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.core.errors import Conflict, DomainError, FieldErrors, NotAllowed
from salesdesk.core.models import StatusChange
from salesdesk.customers import services as customer_services
from salesdesk.orders import services
from salesdesk.orders.models import CheckResult, OrderStatus
from tests.factories import make_customer
from tests.orders.conftest import pickup_order

pytestmark = pytest.mark.django_db


def results(order) -> dict[str, str]:
    return {c.code: c.result for c in order.checks.all()}


def test_draft_takes_the_agreed_price_in_force_and_rounds_each_line_once(draft):
    lines = list(draft.lines.order_by("position"))
    assert [line.unit_price for line in lines] == [Decimal("349.6000"), Decimal("243.8000")]
    assert [line.amount for line in lines] == [Decimal("6992.00"), Decimal("1219.00")]
    assert draft.number is None and draft.status == OrderStatus.DRAFT


def test_registering_gives_consecutive_register_numbers_for_the_year(draft, customer, product, assistant):
    second = pickup_order(assistant, customer, product, "1")
    services.order_register(order=draft, by=assistant)
    services.order_register(order=second, by=assistant)
    draft.refresh_from_db()
    second.refresh_from_db()
    year = timezone.localdate().year
    assert [draft.number, second.number] == [f"XS{year}-00001", f"XS{year}-00002"]


def test_complete_customer_at_agreed_prices_passes_every_check(draft, assistant):
    order = services.order_register(order=draft, by=assistant)
    assert order.status == OrderStatus.REGISTERED
    assert set(results(order).values()) == {CheckResult.PASSED}
    assert StatusChange.objects.filter(object_id=str(order.pk), to_status="registered", by=assistant).exists()


def test_registering_twice_is_refused(draft, assistant):
    services.order_register(order=draft, by=assistant)
    with pytest.raises(Conflict):
        services.order_register(order=draft, by=assistant)


def test_price_below_agreed_holds_the_order_for_a_user_without_quoting_permission(
    customer, product, other_assistant
):
    # given a new assistant who may not quote (新进业务助理不允许随便报价)
    order = pickup_order(other_assistant, customer, product, "2", "300")
    # when
    order = services.order_register(order=order, by=other_assistant)
    # then
    assert order.status == OrderStatus.ON_HOLD
    check = order.checks.get(code="agreed_price")
    assert check.result == CheckResult.FAILED
    assert "A-101 300.0000" in check.reason and "349.6000" in check.reason


def test_price_differing_is_accepted_and_recorded_for_a_user_with_quoting_permission(
    customer, product, assistant
):
    order = pickup_order(assistant, customer, product, "2", "300")
    order = services.order_register(order=order, by=assistant)
    check = order.checks.get(code="agreed_price")
    assert order.status == OrderStatus.REGISTERED
    assert check.result == CheckResult.PASSED
    assert "李敏" in check.reason  # who quoted it is on record


def test_only_a_quoting_user_may_override_the_price_check(customer, product, other_assistant, assistant):
    order = services.order_register(
        order=pickup_order(other_assistant, customer, product, "2", "300"),
        by=other_assistant,
    )
    with pytest.raises(NotAllowed):
        services.order_override(order=order, by=other_assistant, code="agreed_price", reason="客户说好的")
    order = services.order_override(
        order=order, by=assistant, code="agreed_price", reason="老客户特价，业务员同意"
    )
    check = order.checks.get(code="agreed_price")
    assert order.status == OrderStatus.REGISTERED
    assert (check.result, check.overridden_by, check.override_reason) == (
        CheckResult.OVERRIDDEN,
        assistant,
        "老客户特价，业务员同意",
    )


def test_override_needs_a_reason(customer, product, other_assistant, assistant):
    order = services.order_register(
        order=pickup_order(other_assistant, customer, product, "1", "1"),
        by=other_assistant,
    )
    with pytest.raises(DomainError) as error:
        services.order_override(order=order, by=assistant, code="agreed_price", reason="  ")
    assert error.value.field == "reason"


def test_out_of_province_customer_is_held_until_the_salesperson_accepts(
    assistant, salesperson, product, manager
):
    customer = make_customer(
        by=assistant, province="湖南", city="长沙", assistant=assistant, salesperson=salesperson
    )
    order = services.order_register(
        order=services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="freight",
            collection_method="account",
            lines=[services.LineInput(product=product, quantity=Decimal("1"))],
        ),
        by=assistant,
    )
    assert order.status == OrderStatus.ON_HOLD
    assert results(order)["prepayment"] == CheckResult.FAILED
    with pytest.raises(NotAllowed):  # an assistant cannot waive 款到发货
        services.order_override(order=order, by=assistant, code="prepayment", reason="客户急用")
    order = services.order_override(order=order, by=salesperson, code="prepayment", reason="老客户，月底付款")
    assert results(order)["prepayment"] == CheckResult.OVERRIDDEN


def test_salespersons_standing_exception_lets_out_of_province_orders_pass(assistant, salesperson, product):
    customer = make_customer(
        by=assistant,
        province="湖南省",
        city="长沙",
        assistant=assistant,
        salesperson=salesperson,
        prepayment_exception_by=salesperson,
        prepayment_exception_note="代理商，月结",
    )
    order = services.order_register(
        order=services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="freight",
            collection_method="account",
            lines=[services.LineInput(product=product, quantity=Decimal("1"))],
        ),
        by=assistant,
    )
    assert results(order)["prepayment"] == CheckResult.PASSED


def test_home_province_written_with_sheng_is_not_out_of_province(assistant, product):
    customer = make_customer(by=assistant, province="广东省", assistant=assistant)
    order = services.order_register(
        order=pickup_order(assistant, customer, product, "1", "380"),
        by=assistant,
    )
    assert results(order)["prepayment"] == CheckResult.PASSED


def test_incomplete_master_data_holds_the_order_and_names_the_missing_fields(assistant, product):
    customer = make_customer(by=assistant, complete=False, name="江门新客户", assistant=assistant)
    order = services.order_register(
        order=pickup_order(assistant, customer, product, "1", "380"),
        by=assistant,
    )
    check = order.checks.get(code="master_data")
    assert check.result == CheckResult.FAILED
    assert "address" in check.reason or "地址" in check.reason


def test_fixing_master_data_and_reviewing_again_registers_a_held_order(assistant, salesperson, product):
    customer = make_customer(by=assistant, complete=False, name="江门新客户", assistant=assistant)
    order = services.order_register(
        order=pickup_order(assistant, customer, product, "1", "380"),
        by=assistant,
    )
    customer_services.customer_update(
        customer=customer,
        by=assistant,
        region="蓬江",
        province="广东",
        city="江门",
        address="建设路 1 号",
        settlement="cash",
        shipping_notes="自提",
        receipt_seal="kedi_received",
        salesperson=salesperson,
    )
    order = services.order_review_again(order=order, by=assistant)
    assert order.status == OrderStatus.REGISTERED, [(c.code, c.reason) for c in order.checks.all()]


def test_credit_days_without_approved_application_holds_and_only_the_manager_overrides(
    assistant, salesperson, product, manager
):
    customer = make_customer(by=assistant, credit_days=30, assistant=assistant, salesperson=salesperson)
    order = services.order_register(
        order=services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="pickup",
            collection_method="account",
            lines=[services.LineInput(product=product, quantity=Decimal("1"), unit_price=Decimal("380"))],
        ),
        by=assistant,
    )
    assert results(order)["credit_terms"] == CheckResult.FAILED
    assert results(order)["master_data"] == CheckResult.PASSED  # counted once, by its own check
    with pytest.raises(NotAllowed):
        services.order_override(order=order, by=assistant, code="credit_terms", reason="x")
    order = services.order_override(order=order, by=manager, code="credit_terms", reason="陆总口头同意")
    assert order.status == OrderStatus.REGISTERED


@pytest.mark.parametrize(
    ("approved_days", "asked_days", "credit_terms"),
    [(30, 30, CheckResult.PASSED), (60, 30, CheckResult.PASSED), (15, 30, CheckResult.FAILED)],
)
def test_an_approved_application_for_at_least_the_credit_days_passes_the_credit_check(
    assistant, salesperson, product, manager, approved_days, asked_days, credit_terms
):
    customer = make_customer(by=assistant, assistant=assistant, salesperson=salesperson)
    application = customer_services.credit_application_submit(
        customer=customer, by=assistant, credit_days=approved_days
    )
    customer_services.credit_application_decide(application=application, by=manager, approve=True)
    customer_services.customer_update(customer=customer, by=manager, credit_days=asked_days)
    customer.refresh_from_db()
    order = services.order_register(
        order=pickup_order(assistant, customer, product, "1", "380"), by=assistant
    )
    assert results(order)["credit_terms"] == credit_terms


def test_a_customer_with_no_contact_to_phone_is_held_for_master_data(assistant, product):
    customer = make_customer(by=assistant, assistant=assistant, contacts=[])
    order = services.order_register(
        order=pickup_order(assistant, customer, product, "1", "380"), by=assistant
    )
    check = order.checks.get(code="master_data")
    assert check.result == CheckResult.FAILED
    assert "phone" in check.reason or "电话" in check.reason


def test_an_order_needs_a_saved_open_customer_and_positive_quantities(assistant, customer, product):
    customer_services.customer_update(customer=customer, by=assistant, status="closed")
    customer.refresh_from_db()
    with pytest.raises(DomainError) as error:
        pickup_order(assistant, customer, product, "1")
    assert error.value.field == "customer"
    customer_services.customer_update(customer=customer, by=assistant, status="active")
    customer.refresh_from_db()
    with pytest.raises(FieldErrors) as errors:
        pickup_order(assistant, customer, product, "0")
    assert "lines[0].quantity" in errors.value.errors


def test_suspended_carrier_cannot_be_chosen(customer, product, assistant, carrier, manager):
    from salesdesk.catalog.services import carrier_suspend

    carrier_suspend(carrier=carrier, by=manager, reason="代收货款超过 7 天未回")
    carrier.refresh_from_db()
    with pytest.raises(DomainError) as error:
        services.order_create(
            by=assistant,
            customer=customer,
            channel="phone",
            ship_method="express",
            carrier=carrier,
            collection_method="cod",
            lines=[services.LineInput(product=product, quantity=Decimal("1"))],
        )
    assert error.value.field == "carrier"


def test_cancel_needs_a_reason_and_is_refused_after_nothing_is_left_to_cancel(draft, assistant):
    with pytest.raises(DomainError):
        services.order_cancel(order=draft, by=assistant, reason="")
    order = services.order_cancel(order=draft, by=assistant, reason="客户取消")
    assert order.status == OrderStatus.CANCELLED
    with pytest.raises(Conflict):
        services.order_cancel(order=order, by=assistant, reason="again")


def test_repeat_last_order_copies_lines_at_todays_agreed_price(draft, customer, assistant):
    services.order_update(
        order=draft,
        by=assistant,
        lines=[
            services.LineInput(product=line.product, quantity=line.quantity, unit_price=Decimal("1"))
            for line in draft.lines.all()
        ],
    )
    repeat = services.order_repeat_last(customer=customer, by=assistant)
    assert repeat.pk != draft.pk and repeat.status == OrderStatus.DRAFT
    assert [
        (line.product.model_code, line.quantity, line.unit_price)
        for line in repeat.lines.order_by("position")
    ] == [
        ("A-101", Decimal("20.000"), Decimal("349.6000")),
        ("B-220", Decimal("5.000"), Decimal("243.8000")),
    ]


def test_editing_a_held_order_reviews_it_again(customer, product, other_assistant):
    order = services.order_register(
        order=pickup_order(other_assistant, customer, product, "2", "300"),
        by=other_assistant,
    )
    assert order.status == OrderStatus.ON_HOLD
    order = services.order_update(
        order=order, by=other_assistant, lines=[services.LineInput(product=product, quantity=Decimal("2"))]
    )
    assert order.status == OrderStatus.REGISTERED
