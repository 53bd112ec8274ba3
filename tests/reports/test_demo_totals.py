"""Over the demo company, the reports agree with one another and with the AR ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from salesdesk.cli import main
from salesdesk.customers.models import Customer
from salesdesk.receivables import selectors
from salesdesk.reports.base import REPORTS, Filters

pytestmark = pytest.mark.django_db(transaction=True)


def totals(name: str, user, **filters) -> dict[str, Decimal]:
    result = REPORTS[name].run(user, Filters(**filters))
    for _row in result.rows:  # totals are complete once every row is read
        pass
    return result.totals


@pytest.mark.parametrize("username", ["finance", "assistant", "sales"])
def test_summary_detail_aging_and_outbounds_agree_with_the_ledger(username):
    main(["demo"])
    user = User.objects.get(username=username)
    today = timezone.localdate()
    start = today - dt.timedelta(days=120)  # the demo's history begins 80 days back
    visible = selectors.customers_in_scope(user)
    ledger = sum((selectors.balance(c) for c in visible), Decimal("0.00"))

    summary = totals("summary", user, date_from=start, date_to=today)
    detail = totals("ar_detail", user, date_from=start, date_to=today)
    aging = totals("ar_aging", user, date_to=today)
    outbounds = totals("sales_outbound", user, date_from=start, date_to=today)
    receipts = totals("sales_receipts", user, date_from=start, date_to=today)

    assert summary["opening"] == 0
    assert summary["closing"] == detail["closing"] == aging["balance"] == ledger
    assert summary["sales"] + summary["returns"] + summary["write_offs"] == outbounds["amount"]
    assert summary["receipts"] == receipts["amount"]
    buckets = sum((aging[key] for key, *_rest in selectors.BUCKETS), Decimal("0.00"))
    assert buckets - aging["unapplied"] == aging["balance"]
    if username != "finance":  # an assistant's and a salesperson's figures are their customers' only
        assert visible.count() < Customer.objects.count()
