"""The workbench's links: each pattern reversed once, the argument put in its place."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesdesk.workbench.items import link


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("orders:order-detail", "XS2026-00017"),
        ("orders:order-detail", "D42"),
        ("customers:customer-detail", "GS00012"),
        ("receivables:invoice-detail", 7),
        ("receivables:receipt-detail", "SK2026-00003"),
    ],
)
def test_a_link_is_what_reverse_gives(name, argument):
    assert link(name, argument) == reverse(name, args=[argument])


def test_links_to_the_same_page_differ_by_their_argument():
    assert link("orders:order-detail", "XS2026-00001") != link("orders:order-detail", "XS2026-00002")
