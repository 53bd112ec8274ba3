"""Forms of the shipping pages: a shipment, the courier log's filter, the day a check is for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Carrier
from salesdesk.catalog.selectors import carriers_selectable
from salesdesk.core.forms import StyledForm, iso_day_field
from salesdesk.orders.forms import CarrierChoiceField
from salesdesk.warehouse.selectors import OUTSTANDING, OVERDUE, OWN_DELIVERY, RETURNED

MAX_AMOUNT = Decimal("999999999999.99")  # what an amount column (14 digits, 2 places) holds
# A shipment is entered the day it leaves or soon after; a date far off is a typing slip, and
# one near year 9999 would overflow when its due date is counted.
MAX_DAYS_BACK = 366
MAX_DAYS_AHEAD = 31


class ShipmentForm(StyledForm, forms.Form):
    carrier = CarrierChoiceField(
        label=_("carrier"),
        queryset=carriers_selectable(),
        required=False,
        empty_label=_("— none: our own delivery —"),
    )
    tracking_number = forms.CharField(label=_("tracking number"), max_length=40, required=False)
    driver = forms.CharField(label=_("driver"), max_length=50, required=False)
    route = forms.CharField(label=_("route / area"), max_length=50, required=False)
    shipped_on = iso_day_field(_("shipped on"))
    cod_amount = forms.DecimalField(
        label=_("COD amount"),
        required=False,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        max_digits=14,
        decimal_places=2,
    )
    note_required = forms.BooleanField(label=_("signed note required"), required=False)

    def __init__(self, *args, show_money: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Only active carriers: a suspended one cannot be chosen until it is reinstated.
        self.fields["carrier"].queryset = carriers_selectable()
        if not show_money:
            # The warehouse sees no money: the amount is set from the order on the server.
            del self.fields["cod_amount"]

    def clean_shipped_on(self) -> dt.date:
        day = self.cleaned_data["shipped_on"]
        today = timezone.localdate()
        if day < today - dt.timedelta(days=MAX_DAYS_BACK) or day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(_("Enter the day the goods left (within the last year)."))
        return day

    def clean(self) -> dict:
        data = super().clean()
        carrier = data.get("carrier")
        if carrier is None and "carrier" not in self.errors and not data.get("driver", "").strip():
            self.add_error("driver", _("Choose the carrier, or name the driver for our own delivery."))
        # 《快递记录本》 records the tracking number of every courier parcel (seed, part 6).
        if carrier is not None and not data.get("tracking_number", "").strip():
            self.add_error("tracking_number", _("Enter the tracking number: the courier log needs it."))
        return data


def _carrier_choices() -> list[tuple[str, str]]:
    carriers = [(str(pk), name) for pk, name in Carrier.objects.order_by("name").values_list("pk", "name")]
    return [("", _("All carriers")), (OWN_DELIVERY, _("Own delivery")), *carriers]


class CourierLogFilterForm(StyledForm, forms.Form):
    date_from = iso_day_field(_("from"), required=False)
    date_to = iso_day_field(_("to"), required=False)
    carrier = forms.ChoiceField(label=_("carrier"), required=False)
    state = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[
            ("", _("Everything")),
            (OUTSTANDING, _("Still out (due or overdue)")),
            (OVERDUE, _("Overdue")),
            (RETURNED, _("Returned")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = _carrier_choices()

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class DayForm(StyledForm, forms.Form):
    day = iso_day_field(_("date"), required=False)
    driver = forms.CharField(label=_("driver"), max_length=50, required=False)
