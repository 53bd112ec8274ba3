"""Forms of the document pages: invoices, receipt slips, statements and the month chosen."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.selectors import carriers_selectable
from salesdesk.core.calendar import FIRST_DAY, LAST_DAY
from salesdesk.core.forms import StyledForm, iso_day_field
from salesdesk.customers.models import Customer, ReceiptSeal
from salesdesk.orders.forms import CarrierChoiceField
from salesdesk.receivables.models import StatementStatus
from salesdesk.warehouse.models import Outbound, OutboundKind, OutboundStatus

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_start(text: str) -> dt.date:
    """The first day of the month written "2025-03"; ValueError when it is not a month."""
    match = MONTH.match((text or "").strip())
    if not match:
        raise ValueError(text)
    year, month = int(match.group(1)), int(match.group(2))
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise ValueError(text)
    return dt.date(year, month, 1)  # ValueError for month 13


class MonthForm(StyledForm, forms.Form):
    month = forms.CharField(
        label=_("month"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )

    def clean_month(self) -> dt.date | None:
        text = self.cleaned_data.get("month", "")
        if not text:
            return None
        try:
            return month_start(text)
        except ValueError:
            raise forms.ValidationError(_("Enter a month such as 2025-03.")) from None


class InvoiceFilterForm(MonthForm):
    q = forms.CharField(
        label=_("search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("invoice number, customer")}),
    )


class OutboundChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Outbound) -> str:
        return f"{obj.reference} {obj.posting_date:%Y-%m-%d} {obj.get_kind_display()} {obj.amount}"


class InvoiceForm(StyledForm, forms.Form):
    outbounds = OutboundChoiceField(
        label=_("outbounds"), queryset=Outbound.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    number = forms.CharField(label=_("invoice number"), max_length=30)
    issued_on = iso_day_field(_("issued on"))
    must_reach_by = iso_day_field(_("must reach the customer by"), required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        # Every posted outbound of the customer may be named: one already invoiced is refused
        # by the service with a message saying so, not as "not one of the choices".
        self.fields["outbounds"].queryset = Outbound.objects.filter(
            customer=customer, status=OutboundStatus.POSTED
        ).exclude(kind=OutboundKind.BAD_DEBT)
        self.fields["outbounds"].error_messages["required"] = _("Choose the outbounds the invoice covers.")


class InvoiceMailForm(StyledForm, forms.Form):
    carrier = CarrierChoiceField(
        label=_("mailed with"),
        queryset=carriers_selectable(),
        required=False,
        empty_label=_("— not a carrier —"),
    )
    tracking_number = forms.CharField(label=_("mailing tracking number"), max_length=40)
    mailed_on = iso_day_field(_("mailed on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = carriers_selectable()


class DayForm(StyledForm, forms.Form):
    """The one date a follow-up step needs: received, sent, signed back."""

    on = iso_day_field(_("date"))

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["on"].label = label
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())


class SlipForm(StyledForm, forms.Form):
    seal = forms.ChoiceField(label=_("seal"), choices=ReceiptSeal.choices)
    issued_on = iso_day_field(_("issued on"))


class StatementForm(StyledForm, forms.Form):
    period_from = iso_day_field(_("from"))
    period_to = iso_day_field(_("to"))


class StatementFilterForm(StyledForm, forms.Form):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All statements")), *StatementStatus.choices]
    )
    q = forms.CharField(
        label=_("search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("statement number, customer")}),
    )


class CustomerCodeForm(StyledForm, forms.Form):
    """Which customer a new statement is for, typed by code from the statement list."""

    customer = forms.CharField(
        label=_("customer code"), max_length=16, widget=forms.TextInput(attrs={"placeholder": "GS00001"})
    )
