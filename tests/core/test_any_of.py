"""`field__any_of`: the rows `field__in` finds, sent to PostgreSQL as one array whatever its length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.catalog.models import Carrier
from salesdesk.customers.models import Customer
from tests.factories import CarrierFactory, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def carriers(db) -> list[Carrier]:
    return [CarrierFactory(name=name) for name in ("联昊通", "顺丰", "德邦", "平安达")]


@pytest.mark.parametrize(
    "chosen",
    [
        lambda c: [c[0].pk, c[2].pk],
        lambda c: [c[1].pk, c[1].pk, None, c[3].pk],  # repeated, and a None that matches nothing
        lambda c: {x.pk for x in c},
        lambda c: [c[0].pk, 10**12],  # an id that is nobody's
        lambda c: [],
        lambda c: [None],
    ],
)
def test_any_of_finds_what_in_finds(carriers, chosen):
    values = chosen(carriers)
    plain = set(Carrier.objects.filter(pk__in=values).values_list("name", flat=True))
    assert set(Carrier.objects.filter(pk__any_of=values).values_list("name", flat=True)) == plain


def test_any_of_also_works_on_a_text_column(carriers):
    names = ["顺丰", "德邦", "没有这家"]
    found = Carrier.objects.filter(name__any_of=names).values_list("name", flat=True)
    assert sorted(found) == sorted(["顺丰", "德邦"])


def test_any_of_works_through_a_foreign_key_with_ids_or_objects(assistant, other_assistant):
    mine = make_customer(by=assistant, assistant=assistant)
    theirs = make_customer(by=assistant, assistant=other_assistant, name="顺德区好家居建材店")
    assert list(Customer.objects.filter(assistant__any_of=[assistant])) == [mine]
    assert list(Customer.objects.filter(assistant_id__any_of=[other_assistant.pk, None])) == [theirs]
    both = Customer.objects.filter(assistant__any_of=[assistant.pk, other_assistant]).order_by("pk")
    assert list(both) == [mine, theirs]


def test_on_postgresql_the_list_is_one_parameter(carriers):
    ids = [c.pk for c in carriers]
    with CaptureQueriesContext(connection) as queries:
        assert Carrier.objects.filter(pk__any_of=ids).count() == 4
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql
