"""Every model with choices names its values through `ChoiceLabels`, in the language of the page."""

from __future__ import annotations

from django.apps import apps
from django.utils import translation

from salesdesk.core.models import ChoiceLabels
from salesdesk.orders.models import OrderStatus, SalesOrder, ShipMethod


def test_every_model_with_choices_takes_its_labels_from_the_table():
    without = [
        f"{model._meta.app_label}.{model.__name__}"
        for model in apps.get_models()
        if model.__module__.startswith("salesdesk.")
        and not model.__name__.startswith("Historical")  # simple_history's copies, never shown by label
        and any(field.choices for field in model._meta.concrete_fields)
        and not issubclass(model, ChoiceLabels)
    ]
    assert without == []


def test_a_label_follows_the_language_and_an_unknown_value_shows_as_it_is():
    order = SalesOrder(status=OrderStatus.ON_HOLD, ship_method=ShipMethod.EXPRESS)
    shown = {}
    for language in ("en", "zh-hans", "en"):
        with translation.override(language):
            shown[language] = (order.get_status_display(), str(OrderStatus.ON_HOLD.label))

    assert shown["en"] == ("On hold", "On hold")
    assert shown["zh-hans"][0] == shown["zh-hans"][1] != "On hold"
    order.status = "no-such-status"
    assert order.get_status_display() == "no-such-status"
