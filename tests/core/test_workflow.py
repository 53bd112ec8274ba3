"""`transition`: the move is checked and recorded, and the row is written as the caller says."""

from __future__ import annotations

import pytest

from salesdesk.core.models import StatusChange
from salesdesk.core.workflow import InvalidTransition, transition
from salesdesk.orders.models import OrderStatus, SalesOrder
from tests.orders.conftest import carrier, customer, draft, other_product, product  # noqa: F401

pytestmark = pytest.mark.django_db


def stored(order) -> tuple[str, str, str]:
    row = SalesOrder.objects.get(pk=order.pk)
    return row.status, row.warehouse_instructions, row.ship_slot_note


def test_a_move_with_changed_writes_the_status_and_the_fields_named_and_nothing_else(draft, assistant):  # noqa: F811
    draft.warehouse_instructions = "走楼梯"
    draft.ship_slot_note = "not named: stays in memory only"

    transition(draft, to=OrderStatus.CANCELLED, by=assistant, changed=("warehouse_instructions",))

    assert stored(draft) == (OrderStatus.CANCELLED, "走楼梯", "")
    change = StatusChange.objects.get(object_id=str(draft.pk))
    assert (change.from_status, change.to_status, change.by) == (
        OrderStatus.DRAFT,
        OrderStatus.CANCELLED,
        assistant,
    )


def test_a_move_without_changed_writes_the_whole_row(draft, assistant):  # noqa: F811
    draft.warehouse_instructions = "走楼梯"
    draft.ship_slot_note = "改下午"

    transition(draft, to=OrderStatus.CANCELLED, by=assistant)

    assert stored(draft) == (OrderStatus.CANCELLED, "走楼梯", "改下午")


def test_a_move_not_allowed_writes_nothing(draft, assistant):  # noqa: F811
    with pytest.raises(InvalidTransition):
        transition(draft, to=OrderStatus.SHIPPED, by=assistant, changed=())

    assert stored(draft)[0] == OrderStatus.DRAFT
    assert not StatusChange.objects.filter(object_id=str(draft.pk)).exists()
