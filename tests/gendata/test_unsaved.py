"""The bulk writer's `unsaved` makes the very object `Model(**values)` makes, only faster."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from salesdesk.core.models import AuditEvent
from salesdesk.customers.models import Customer
from salesdesk.gendata.bulk_writer import INSERT_ORDER, unsaved
from salesdesk.orders.models import SalesOrder
from salesdesk.receivables.models import Receipt
from salesdesk.warehouse.models import Outbound, Shipment

AT = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 30))


def attributes(obj) -> tuple[dict, set]:
    values = {name: value for name, value in obj.__dict__.items() if name != "_state"}
    return values, set(obj._state.fields_cache)


EXAMPLES = [
    (
        Outbound,
        {
            "kind": "sale",
            "order": SalesOrder(pk=3),
            "customer": Customer(pk=2),
            "created_by": User(pk=1),
            "status": "posted",
            "posting_date": AT.date(),
            "posted_at": AT,
            "due_date": AT.date(),
        },
    ),
    # A relation left empty on purpose, one given by its id, a one-to-one, defaults for the rest.
    (
        Receipt,
        {
            "customer_id": 2,
            "amount": Decimal("100.00"),
            "carrier": None,
            "shipment": Shipment(pk=5),
            "created_at": AT,
        },
    ),
    (AuditEvent, {"action": "order.released", "by": User(pk=1), "object_id": "3", "data": {}, "at": AT}),
]


@pytest.mark.parametrize(("model", "values"), EXAMPLES, ids=lambda v: getattr(v, "__name__", ""))
def test_unsaved_sets_what_the_constructor_sets(model, values):
    assert attributes(unsaved(model, **values)) == attributes(model(**values))


@pytest.mark.parametrize("model", INSERT_ORDER, ids=lambda m: m.__name__)
@time_machine.travel(AT, tick=False)  # a call's time defaults to now
def test_every_written_models_defaults_are_the_constructors(model):
    made, built = unsaved(model), model()
    assert attributes(made) == attributes(built)
    assert made._state.adding and made._state.db is None


def test_a_one_to_one_caches_its_reverse_side_as_its_descriptor_does():
    shipment = Shipment(pk=5)
    receipt = unsaved(Receipt, shipment=shipment)
    assert shipment.receipt is receipt


def test_defaults_that_are_made_are_made_afresh():
    first, second = unsaved(AuditEvent), unsaved(AuditEvent)
    assert first.data == {} and first.data is not second.data


def test_an_unknown_name_is_refused_as_the_constructor_refuses_it():
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        unsaved(Outbound, colour="red")
