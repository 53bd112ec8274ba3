"""The issue's scenario: two orders, one paid; the statement holds the paid one; paying twice
pays once; a return after payment is deducted on the next statement."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.commissions import selectors, services
from salesdesk.commissions.models import CommissionAccrual, PayoutItem
from salesdesk.core.errors import Conflict
from salesdesk.receivables import services as receivables
from salesdesk.receivables import services_credits as credits
from tests.receivables.conftest import sell

pytestmark = pytest.mark.django_db


def test_only_paid_outbounds_are_paid_once_and_a_later_return_is_deducted(
    rebate_customer, product, assistant, warehouse, finance, manager, salesperson
):
    customer = rebate_customer
    paid_sale = sell(customer, product, "10", by=assistant, warehouse=warehouse)
    unpaid_sale = sell(customer, product, "4", by=assistant, warehouse=warehouse)
    assert [a.amount for a in CommissionAccrual.objects.order_by("id")] == [
        Decimal("125.00"),
        Decimal("50.00"),
    ]
    receivables.receipt_create(
        customer=customer,
        by=assistant,
        amount=paid_sale.amount,
        received_on=timezone.localdate(),
        method="transfer",
        allocations=[receivables.AllocationInput(paid_sale)],
    )
    (statement,) = services.statements_build(month=timezone.localdate(), by=assistant)
    assert statement.total == Decimal("125.00")
    assert [line.accrual.outbound_id for line in selectors.statement_lines(statement)] == [paid_sale.pk]

    services.statement_approve(statement=statement, by=finance)
    services.statement_pay(
        statement=statement, by=finance, paid_on=timezone.localdate(), reference="工行 001"
    )
    with pytest.raises(Conflict):
        services.statement_pay(
            statement=statement, by=finance, paid_on=timezone.localdate(), reference="工行 001"
        )
    assert PayoutItem.objects.count() == 1

    # Two units of the paid sale come back: 25.00 is clawed back on the next statement.
    credits.return_post(
        original=paid_sale,
        by=assistant,
        lines=[credits.ReturnLineInput(paid_sale.lines.get(), Decimal("2"))],
        reason="破损",
        agreed_by=salesperson,
    )
    clawback = CommissionAccrual.objects.get(amount__lt=0)
    assert clawback.amount == Decimal("-25.00")
    # The return's credit went to the unpaid sale; the customer pays the rest of it now,
    # so the next statement nets 50.00 − 25.00.
    from salesdesk.receivables.selectors import open_sales

    (rest,) = open_sales(customer)
    assert rest.pk == unpaid_sale.pk and rest.open_amount == unpaid_sale.amount - Decimal("699.20")
    receivables.receipt_create(
        customer=customer,
        by=assistant,
        amount=rest.open_amount,
        received_on=timezone.localdate(),
        method="transfer",
        allocations=[receivables.AllocationInput(unpaid_sale)],
    )
    (second,) = services.statements_build(month=timezone.localdate(), by=assistant)
    assert second.total == Decimal("25.00")
    states = {a.pk: a.state for a in selectors.with_states(CommissionAccrual.objects.all())}
    assert list(states.values()).count("on_statement") == 2 and list(states.values()).count("paid") == 1
