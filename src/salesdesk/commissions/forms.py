"""Forms of the commission pages: the filters of the lists, the month drawn up, sending back, paying."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.commissions.models import StatementStatus
from salesdesk.commissions.selectors import State
from salesdesk.core.forms import StyledForm, iso_day_field
from salesdesk.receivables.forms_documents import month_start

STATES = [State.WAITING, State.PAYABLE, State.ON_STATEMENT, State.PAID, State.CANCELLED]


def _month_field(*, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_("month"),
        required=required,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-03"}),
    )


def _clean_month(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return month_start(text)
    except ValueError:
        raise forms.ValidationError(_("Enter a month such as 2025-03.")) from None


class AccrualFilterForm(StyledForm, forms.Form):
    state = forms.ChoiceField(
        label=_("state"),
        required=False,
        choices=[("", _("All states")), *((s, State.LABELS[s]) for s in STATES)],
    )
    customer = forms.CharField(
        label=_("customer"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("code or name")}),
    )
    payee = forms.CharField(label=_("payee"), required=False, max_length=50)
    month = _month_field()

    def clean_month(self) -> dt.date | None:
        return _clean_month(self.cleaned_data.get("month", "").strip())


class StatementFilterForm(StyledForm, forms.Form):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All statements")), *StatementStatus.choices]
    )
    month = _month_field()

    def clean_month(self) -> dt.date | None:
        return _clean_month(self.cleaned_data.get("month", "").strip())


class BuildForm(StyledForm, forms.Form):
    """月底整理付佣明细: which month's statements to draw up."""

    month = _month_field(required=True)

    def clean_month(self) -> dt.date:
        return _clean_month(self.cleaned_data.get("month", "").strip())


class SendBackForm(StyledForm, forms.Form):
    reason = forms.CharField(
        label=_("reason for sending back"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("what must be corrected")}),
    )


class PayForm(StyledForm, forms.Form):
    paid_on = iso_day_field(_("paid on"))
    reference = forms.CharField(
        label=_("payment reference"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("bank slip or voucher number")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("paid_on", timezone.localdate())
