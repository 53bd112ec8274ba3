"""The customer's receivables page leads to what can be done about them, by permission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.receivables.conftest import sell

pytestmark = pytest.mark.django_db


def test_the_assistant_finds_receipt_statement_and_write_off_on_the_page(
    debtor, product, assistant, warehouse
):
    sell(debtor, product, "2", by=assistant, warehouse=warehouse)

    page = client_for(assistant).get(reverse("receivables:customer-ar", args=[debtor.code])).content.decode()

    assert reverse("receivables:statement-create", args=[debtor.code]) in page
    assert reverse("receivables:write-off-create", args=[debtor.code]) in page
    assert 'data-testid="new-receipt"' in page


def test_the_salesperson_reads_the_page_without_the_actions(
    debtor, product, assistant, salesperson, warehouse
):
    sell(debtor, product, "2", by=assistant, warehouse=warehouse)

    page = (
        client_for(salesperson).get(reverse("receivables:customer-ar", args=[debtor.code])).content.decode()
    )

    assert 'data-testid="new-statement"' not in page and 'data-testid="new-write-off"' not in page
    assert 'data-testid="new-receipt"' not in page
