"""Forms of the ledger and receipt pages: filters, a receipt with its allocation table, tick-offs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Carrier
from salesdesk.core.forms import StyledForm, UserChoiceField, iso_day_field
from salesdesk.core.money import CENT
from salesdesk.orders.forms import CarrierChoiceField
from salesdesk.receivables.models import PaymentMethod
from salesdesk.receivables.services import MAX_AMOUNT


class AllocationMode:
    OLDEST = "oldest"  # the money settles the oldest open sales first
    CHOSEN = "chosen"  # the person ticks the sales it settles

    CHOICES = [
        (OLDEST, _("Oldest open sales first")),
        (CHOSEN, _("The sales ticked below")),
    ]


class LedgerFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("customer code or name"), max_length=100, required=False)
    salesperson = UserChoiceField(
        label=_("salesperson"), queryset=User.objects.none(), required=False, empty_label=_("All salespeople")
    )

    def __init__(self, *args, salespeople=None, **kwargs):
        super().__init__(*args, **kwargs)
        if salespeople is not None:
            self.fields["salesperson"].queryset = salespeople


class ReceiptFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("number, customer or reference"), max_length=100, required=False)
    date_from = iso_day_field(_("from"), required=False)
    date_to = iso_day_field(_("to"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class ReceiptForm(StyledForm, forms.Form):
    customer = forms.CharField(label=_("customer code"), max_length=16, widget=forms.HiddenInput)
    received_on = iso_day_field(_("received on"))
    amount = forms.DecimalField(
        label=_("amount"), min_value=Decimal("0.01"), max_value=MAX_AMOUNT, max_digits=14, decimal_places=2
    )
    method = forms.ChoiceField(
        label=_("payment method"), choices=PaymentMethod.choices, initial=PaymentMethod.TRANSFER
    )
    carrier = CarrierChoiceField(
        label=_("carrier (for COD)"),
        queryset=Carrier.objects.order_by("name"),
        required=False,
        empty_label=_("— none —"),
    )
    reference = forms.CharField(label=_("bank or cheque reference"), max_length=60, required=False)
    order = forms.CharField(
        label=_("prepayment for order"),
        max_length=20,
        required=False,
        help_text=_("The register number of the order paid in advance (款到发货), if any."),
    )
    note = forms.CharField(
        label=_("note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the money differs from what it settles: say why."),
    )
    mode = forms.ChoiceField(
        label=_("settle"),
        choices=AllocationMode.CHOICES,
        initial=AllocationMode.OLDEST,
        widget=forms.RadioSelect,
    )


@dataclass
class AllocationRow:
    """One open sale of the customer in the receipt form: ticked or not, with the amount typed."""

    sale: object
    picked: bool = False
    amount_text: str = ""
    errors: list[str] = field(default_factory=list)


def amount_key(reference: str) -> str:
    return f"amount_{reference}"


def read_allocations(data, rows: list[AllocationRow]) -> tuple[list[tuple[str, Decimal | None]], list[str]]:
    """The ticked outbounds (by reference, in the order sent) with their amounts (None: all open).

    Marks each shown row as ticked and keeps what was typed; a ticked outbound not shown (no
    longer open, or not posted) is passed on too, so that the service says what is wrong with it.
    Returns the choices, and the errors of ticked outbounds that have no row to show them.
    """
    by_ref = {row.sale.reference: row for row in rows}
    chosen: list[tuple[str, Decimal | None]] = []
    stray: list[str] = []
    for row in rows:
        row.amount_text = (data.get(amount_key(row.sale.reference)) or "").strip()
    for reference in dict.fromkeys(
        ref.strip()[:30] for ref in data.getlist("pick") if ref.strip() and "\x00" not in ref
    ):
        row = by_ref.get(reference)
        if row is not None:
            row.picked = True
        text = (data.get(amount_key(reference)) or "").strip().replace(",", "")
        try:
            amount = Decimal(text) if text else None
        except InvalidOperation:
            amount, problem = None, _("Enter an amount such as 1280.50, or leave it empty.")
        else:
            problem = None
            if amount is not None and (not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT):
                problem = _("The amount must be more than 0.")
            elif amount is not None and amount != amount.quantize(CENT):
                problem = _("Enter the amount in yuan and fen: at most two decimal places.")
        if problem is None:
            chosen.append((reference, amount))
        elif row is not None:
            row.errors.append(str(problem))
        else:
            stray.append(f"{reference}: {problem}")
    return chosen, stray


class ReachedFinanceForm(StyledForm, forms.Form):
    on = iso_day_field(_("money reached finance on"), required=False)

    def clean_on(self) -> dt.date:
        return self.cleaned_data.get("on") or timezone.localdate()


class CodReceiveForm(StyledForm, forms.Form):
    received_on = iso_day_field(_("money back on"), required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def clean_received_on(self) -> dt.date:
        return self.cleaned_data.get("received_on") or timezone.localdate()
