"""A long report's page read alone (`ReportResult.page`): the database counts and adds up, and
only the page's rows are read. Whatever the lines, the page must be the same rows, count and
totals as reading the whole report — the export and the print view still read it whole — and
the API's text rows (`ReportResult.text_rows`) the same cells as text."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.reports.api import _cell
from salesdesk.reports.base import REPORTS, Filters
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundLine, OutboundStatus
from tests.orders.conftest import customer, other_product, product  # noqa: F401  (fixtures)
from tests.receivables.conftest import debtor  # noqa: F401  (fixture)
from tests.warehouse.conftest import stocked  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


class _Discarded(Exception):
    """Raised to roll an example's rows back, so each example starts from the same database."""


def _decimal(places: int, most: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(1).scaleb(-places), max_value=most, places=places)


LINE = st.tuples(
    st.sampled_from([OutboundKind.SALE, OutboundKind.RETURN]),
    st.booleans(),  # the other product
    _decimal(3, 5000),  # quantity
    _decimal(4, 100_000),  # unit price
    # The amount: any cents, not only quantity × price, or nothing for a free line.
    st.one_of(st.just(Decimal("0.00")), _decimal(2, 9_999_999)),
)


def _post(buyer, kind: str, lines: list[tuple], products, by, original=None) -> Outbound:
    """A posted outbound with these lines, written directly (posting is tested elsewhere)."""
    today = timezone.localdate()
    outbound = Outbound.objects.create(customer=buyer, kind=kind, created_by=by, original=original)
    OutboundLine.objects.bulk_create(
        OutboundLine(outbound=outbound, product=products[other], quantity=q, unit_price=p, amount=a)
        for _kind, other, q, p, a in lines
    )
    # A return's lines hold what went back; the outbound's amount is what it takes off.
    sign = 1 if kind == OutboundKind.SALE else -1
    corrected = {} if kind == OutboundKind.SALE else {"reason": "退货", "agreed_by": by}
    Outbound.objects.filter(pk=outbound.pk).update(
        status=OutboundStatus.POSTED,
        number=f"CK-P{next(_numbers):06d}",
        posting_date=today,
        due_date=today,
        amount=sign * sum(a for *_rest, a in lines),
        **corrected,
    )
    return outbound


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(LINE, max_size=30),
    offset=st.integers(0, 35),
    limit=st.integers(1, 12),
    product_only=st.booleans(),
)
def test_a_sales_detail_page_is_the_same_rows_count_and_totals_as_the_whole(
    lines,
    offset,
    limit,
    product_only,
    debtor,  # noqa: F811
    product,  # noqa: F811
    other_product,  # noqa: F811
    assistant,
):
    products = [product, other_product]
    filters = Filters(product=product.model_code if product_only else "")
    try:
        with transaction.atomic():
            sale = None
            for kind, group in itertools.groupby(lines, key=lambda line: line[0]):
                if kind == OutboundKind.RETURN and sale is None:
                    sale = _post(debtor, OutboundKind.SALE, [], products, assistant)
                posted = _post(debtor, kind, list(group), products, assistant, original=sale)
                sale = posted if kind == OutboundKind.SALE else sale

            whole = REPORTS["sales_detail"].run(assistant, filters)
            rows = list(whole.rows)
            page = REPORTS["sales_detail"].run(assistant, filters).page(offset, limit)

            assert [tuple(row) for row in page.rows] == [tuple(row) for row in rows[offset : offset + limit]]
            assert page.count == len(rows)
            assert page.totals == whole.totals
            # The same digits too: the API writes the totals as their text.
            assert {k: str(v) for k, v in page.totals.items()} == {k: str(v) for k, v in whole.totals.items()}
            # For the API, cells made text straight from the database: the same text the API's
            # converter writes of the typed rows, and the same totals, on a page and in the whole.
            as_text = [tuple(_cell(value) for value in row) for row in rows]
            text_page = REPORTS["sales_detail"].run(assistant, filters).page(offset, limit, as_text=True)
            assert text_page.rows == as_text[offset : offset + limit]
            assert text_page.totals == page.totals
            text = REPORTS["sales_detail"].run(assistant, filters)
            assert list(text.text_rows()) == as_text
            assert text.totals == whole.totals
            raise _Discarded
    except _Discarded:
        pass


def test_a_page_of_no_lines_adds_up_to_zero_as_the_whole_does(assistant):
    whole = REPORTS["sales_detail"].run(assistant, Filters())
    assert list(whole.rows) == []

    page = REPORTS["sales_detail"].run(assistant, Filters()).page(0, 50)

    assert (page.rows, page.count) == ([], 0)
    assert page.totals == whole.totals == {"quantity": Decimal("0"), "amount": Decimal("0.00")}
