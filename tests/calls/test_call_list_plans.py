"""The call list is counted from its indexes and its page is cut walking the calls newest first:
SQLite gathered and sorted an assistant's 31,000 calls to show 25 (18 ms at scale 1)."""

from __future__ import annotations

import pytest

from salesdesk.calls import selectors, services
from salesdesk.core.pages import CutOnIds
from tests.core.sqlite_statistics import load_statistics, plans_of
from tests.core.test_rare import SQLITE_ONLY
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

# What ANALYZE wrote at scale 1 (see load_statistics): 145,000 calls, 2,000 customers.
SCALE_ONE = {
    "calls_callrecord": {
        ("at",): "142830 2",
        ("customer_id",): "92494 77",
        ("answered_by_id",): "72581 1001",
    },
    "calls_followup": {("assigned_to_id",): "828 112", ("call_id",): "1095 1"},
    "customers_customer": {("assistant_id",): "1816 251", ("salesperson_id",): "1720 167"},
}


@SQLITE_ONLY
def test_the_page_is_cut_walking_the_calls_and_the_count_uses_the_indexes(assistant, salesperson):
    customer = make_customer(by=assistant, assistant=assistant, salesperson=salesperson)
    calls = [services.call_log(by=assistant, customer=customer) for _ in range(3)]
    load_statistics(SCALE_ONE)
    listed = CutOnIds(
        selectors.call_list(user=assistant),
        selectors.call_rows,
        selectors.call_list(user=assistant, to_cut=True),
    )

    [count_plan] = plans_of(listed.count, table="calls_callrecord")
    cut_plan = plans_of(lambda: listed[0:25], table="calls_callrecord")[0]

    assert "MULTI-INDEX OR" in count_plan
    assert "SCAN calls_callrecord USING INDEX calls_callrecord_at" in cut_plan, cut_plan
    assert "TEMP B-TREE" not in cut_plan
    assert listed.count() == 3 and listed[0:25] == calls[::-1]
