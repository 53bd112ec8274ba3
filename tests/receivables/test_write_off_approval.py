"""Who approves a bad-debt write-off (坏账): the manager any, finance up to the write-off limit,
never whoever proposed it — and the service, the page and the API say the same.

The sale below is 5 × A-101 at 349.60 = 1748.00; the default limit is 500.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesdesk.core.errors import NotAllowed
from salesdesk.core.roles import Role
from salesdesk.receivables.models import Allocation
from salesdesk.receivables.services_credits import (
    WriteOffInput,
    write_off_approve,
    write_off_limit,
    write_off_reject,
    write_off_request,
)
from salesdesk.warehouse.models import Outbound, OutboundStatus
from tests.api.conftest import ApiClient, token_for
from tests.conftest import client_for, make_user
from tests.receivables.conftest import open_of, sell
from tests.receivables.test_views_credits import english, said

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(debtor, product, assistant, warehouse):
    posted = sell(debtor, product, "5", by=assistant, warehouse=warehouse)
    assert posted.amount == Decimal("1748.00")
    return posted


@pytest.fixture
def other_finance(db):
    return make_user("finance2", Role.FINANCE, display="周出纳")


def propose(customer, sale, amount: str, by, reason: str = "零头，客户不认") -> Outbound:
    return write_off_request(
        customer=customer, by=by, items=[WriteOffInput(sale, Decimal(amount))], reason=reason
    )


def still_pending(write_off: Outbound) -> bool:
    write_off.refresh_from_db()
    return (
        write_off.status == OutboundStatus.DRAFT and not Allocation.objects.filter(credit=write_off).exists()
    )


# --- the service ----------------------------------------------------------------------------


def test_the_limit_defaults_to_500_yuan():
    assert write_off_limit() == Decimal("500")


def test_finance_approves_a_write_off_of_exactly_the_limit(sale, debtor, assistant, finance):
    proposal = propose(debtor, sale, "500.00", by=assistant)

    posted = write_off_approve(write_off=proposal, by=finance)

    assert posted.status == OutboundStatus.POSTED and posted.agreed_by == finance
    assert open_of(sale) == Decimal("1248.00")


def test_a_cent_above_the_limit_needs_the_manager(sale, debtor, assistant, finance, manager):
    proposal = propose(debtor, sale, "500.01", by=assistant)

    with pytest.raises(NotAllowed) as refused:
        write_off_approve(write_off=proposal, by=finance)
    assert "500" in refused.value.message and "500.01" in refused.value.message
    with pytest.raises(NotAllowed):
        write_off_reject(write_off=proposal, by=finance, reason="不同意")
    assert still_pending(proposal)

    assert write_off_approve(write_off=proposal, by=manager).agreed_by == manager


def test_finance_cannot_approve_its_own_small_write_off_but_a_colleague_can(
    sale, debtor, finance, other_finance
):
    proposal = propose(debtor, sale, "100.00", by=finance)

    with pytest.raises(NotAllowed) as refused:
        write_off_approve(write_off=proposal, by=finance)
    assert "proposed" in refused.value.message or "申请人" in refused.value.message
    assert still_pending(proposal)

    assert write_off_approve(write_off=proposal, by=other_finance).agreed_by == other_finance


def test_writing_a_sale_off_in_small_pieces_needs_the_manager_once_the_pieces_pass_the_limit(
    sale, debtor, assistant, finance, manager
):
    first = propose(debtor, sale, "300.00", by=assistant)
    second = propose(debtor, sale, "300.00", by=assistant)
    write_off_approve(write_off=first, by=finance)

    with pytest.raises(NotAllowed) as refused:
        write_off_approve(write_off=second, by=finance)
    assert "600.00" in refused.value.message
    assert still_pending(second)

    write_off_approve(write_off=second, by=manager)
    assert open_of(sale) == Decimal("1148.00")


def test_finance_rejects_a_small_write_off(sale, debtor, assistant, finance):
    proposal = propose(debtor, sale, "20.00", by=assistant)

    write_off_reject(write_off=proposal, by=finance, reason="还能收回")

    assert not Outbound.objects.filter(pk=proposal.pk).exists()
    assert open_of(sale) == Decimal("1748.00")


@pytest.mark.parametrize("who", ["assistant", "salesperson", "warehouse"])
def test_nobody_else_approves_even_a_small_write_off(sale, debtor, finance, who, request):
    proposal = propose(debtor, sale, "1.00", by=finance)
    user = request.getfixturevalue(who)

    for decide in (
        lambda: write_off_approve(write_off=proposal, by=user),
        lambda: write_off_reject(write_off=proposal, by=user, reason="不同意"),
    ):
        with pytest.raises(NotAllowed):
            decide()
    assert still_pending(proposal)


def test_the_limit_is_a_setting(sale, debtor, assistant, finance, settings):
    settings.SALESDESK = {**settings.SALESDESK, "WRITE_OFF_LIMIT": Decimal("2000")}
    proposal = write_off_request(
        customer=debtor, by=assistant, items=[WriteOffInput(sale)], reason="客户倒闭"
    )

    write_off_approve(write_off=proposal, by=finance)

    assert open_of(sale) == 0


# --- the page -------------------------------------------------------------------------------


def test_the_page_offers_finance_the_buttons_only_for_a_small_write_off_and_says_why_not(
    sale, debtor, assistant, finance
):
    small = propose(debtor, sale, "50.00", by=assistant)
    large = propose(debtor, sale, "800.00", by=assistant)
    client = english(finance)

    small_page = client.get(reverse("receivables:write-off-detail", args=[small.pk])).content.decode()
    large_page = client.get(reverse("receivables:write-off-detail", args=[large.pk])).content.decode()

    assert 'data-testid="approve"' in small_page and 'data-testid="not-yours-to-approve"' not in small_page
    assert 'data-testid="approve"' not in large_page
    assert "need the manager" in large_page


def test_finance_approving_a_large_write_off_on_the_page_is_refused_with_the_reason(
    sale, debtor, assistant, finance
):
    large = propose(debtor, sale, "800.00", by=assistant)
    detail = reverse("receivables:write-off-detail", args=[large.pk])

    response = english(finance).post(reverse("receivables:write-off-approve", args=[large.pk]))

    assert response.status_code == 302 and response["Location"] == detail
    assert any("need the manager" in text for text in said(response))
    assert still_pending(large)


def test_finance_approves_a_small_write_off_on_the_page(sale, debtor, assistant, finance):
    small = propose(debtor, sale, "50.00", by=assistant)

    response = client_for(finance).post(reverse("receivables:write-off-approve", args=[small.pk]))

    assert response.status_code == 302
    small.refresh_from_db()
    assert small.status == OutboundStatus.POSTED and small.agreed_by == finance


# --- the API --------------------------------------------------------------------------------


def test_the_api_lets_finance_approve_a_small_write_off_and_refuses_a_large_one(
    sale, debtor, assistant, finance
):
    small = propose(debtor, sale, "50.00", by=assistant)
    large = propose(debtor, sale, "800.00", by=assistant)
    api = ApiClient(token_for(finance))

    refused = api.post(f"/write-offs/{large.pk}/approve")
    approved = api.post(f"/write-offs/{small.pk}/approve")

    assert refused.status_code == 403 and "800.00" in refused.content.decode()
    assert still_pending(large)
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("posted", finance.username)


def test_the_api_refuses_the_assistant_even_a_small_write_off(sale, debtor, finance, assistant):
    small = propose(debtor, sale, "1.00", by=finance)

    response = ApiClient(token_for(assistant)).post(f"/write-offs/{small.pk}/approve")

    assert response.status_code == 403
    assert still_pending(small)
