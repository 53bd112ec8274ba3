"""A list cut on ids first (`core.pages.CutOnIds`) shows what cutting the whole list would, and
an address reversed once for a list (`core.pages.url_for_each`) is the one `reverse` gives."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from salesdesk.core.pages import CutOnIds, paginate, url_for_each
from salesdesk.core.schemas import PageQuery, page_of
from salesdesk.orders import selectors
from salesdesk.orders.models import SalesOrder
from tests.orders.conftest import customer, other_product, pickup_order, product  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(assistant, customer, product):  # noqa: F811
    """Seven orders of different totals, three of them taken down at the same moment."""
    made = [pickup_order(assistant, customer, product, str(n + 1), "10.5") for n in range(7)]
    same_moment = timezone.now()
    SalesOrder.objects.filter(pk__in=[made[1].pk, made[3].pk, made[5].pk]).update(created_at=same_moment)
    return made


def shown(rows) -> list[tuple]:
    return [(order.pk, order.total, order.customer.name) for order in rows]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 10])
def test_each_page_cut_on_ids_shows_the_rows_and_totals_of_the_whole_list(orders, assistant, size):
    whole = shown(selectors.order_list(user=assistant))
    assert len(whole) == 7 and len({total for _pk, total, _name in whole}) == 7
    request = RequestFactory()
    seen = []
    for number in range(1, 8):
        page = paginate(
            request.get("/", {"page": number}),
            selectors.order_search(user=assistant),
            size,
            shown=selectors.order_rows,
        )
        if page.number != number:  # past the last page: get_page answers the last one
            break
        assert shown(page) == whole[(number - 1) * size : number * size]
        seen.extend(shown(page))
    assert seen == whole


@pytest.mark.parametrize(("offset", "limit"), [(0, 3), (2, 2), (5, 5), (7, 1)])
def test_an_api_page_cut_on_ids_is_the_same_slice_of_the_whole_list(orders, assistant, offset, limit):
    whole = selectors.order_list(user=assistant)
    answer = page_of(
        selectors.order_search(user=assistant),
        PageQuery(offset=offset, limit=limit),
        lambda order: (order.pk, order.total),
        shown=selectors.order_rows,
    )
    assert answer["count"] == 7
    assert answer["items"] == [(order.pk, order.total) for order in whole[offset : offset + limit]]


def test_a_row_deleted_between_the_two_reads_is_left_out(orders, assistant):
    newest = selectors.order_search(user=assistant).first()

    def shown_after_a_delete(qs):
        SalesOrder.objects.filter(pk=newest.pk).delete()  # someone else, between the two reads
        return selectors.order_rows(qs)

    rows = CutOnIds(selectors.order_search(user=assistant), shown_after_a_delete)[0:3]
    whole = [order.pk for order in selectors.order_list(user=assistant)]
    assert [order.pk for order in rows] == whole[:2]


# A str converter takes anything but "/" (and nothing empty); codes and numbers are such text.
PATH_TEXT = st.text(min_size=1, max_size=12).filter(lambda t: "/" not in t)
ODD_CODES = st.sampled_from(["KD00082", "DZ2026-00017", "客户 1", "a&b?c#d%e", "~:@+"])


@pytest.mark.parametrize("viewname", ["receivables:statement-detail", "receivables:statement-create"])
@given(value=st.one_of(ODD_CODES, PATH_TEXT))
def test_an_address_reversed_once_for_a_list_is_the_one_reverse_gives(viewname, value):
    assert url_for_each(viewname)(value) == reverse(viewname, args=[value])


@given(pk=st.integers(min_value=0, max_value=10**12))
def test_an_address_of_a_number_reversed_once_is_the_one_reverse_gives(pk):
    viewname = "warehouse:shipping-cod-returned"  # an int converter, which refuses letters
    assert url_for_each(viewname)(pk) == reverse(viewname, args=[pk])
