"""`salesdesk check` counts the books against themselves and names what does not hold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import F

from salesdesk.cli import main
from salesdesk.commissions.models import CommissionStatement
from salesdesk.core.models import Sequence
from salesdesk.integrity import check_books
from salesdesk.warehouse.models import StockLevel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(capsys):
    main(["demo"])
    capsys.readouterr()


def areas() -> set[str]:
    return {problem.area for problem in check_books()}


def test_the_demo_company_s_books_hold(demo, capsys):
    assert check_books() == []

    main(["check"])

    out = capsys.readouterr().out
    assert "the books hold" in out
    assert "outbounds to invoice, COD money to enter, ledger" in out  # every check, by name


def test_stock_that_differs_from_its_moves_is_named(demo):
    StockLevel.objects.filter(pk=StockLevel.objects.first().pk).update(on_hand=F("on_hand") + Decimal("1"))

    assert areas() == {"stock"}


def test_a_number_skipped_in_a_series_is_named(demo):
    Sequence.objects.filter(key__startswith="receipt:").update(last_value=F("last_value") + 1)

    (problem,) = check_books()
    assert problem.area == "numbering" and "receipt" in problem.what


def test_a_commission_statement_that_differs_from_its_lines_is_named_and_the_command_fails(demo, capsys):
    CommissionStatement.objects.update(total=F("total") + Decimal("0.01"))

    with pytest.raises(SystemExit) as failed:
        main(["check"])

    assert failed.value.code == 1
    assert "[commissions]" in capsys.readouterr().out
