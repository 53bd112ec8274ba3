from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Product
from salesdesk.core.forms import DayField, StyledForm
from salesdesk.warehouse.models import OutboundKind, ProductionRequest, ProductionStatus

MAX_QUANTITY = Decimal("99999999999.999")


def _quantity(label, *, minimum: str = "0.001", required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(minimum),
        max_value=MAX_QUANTITY,
        max_digits=14,
        decimal_places=3,
    )


def plain(quantity: Decimal | None) -> Decimal | None:
    """12.000 as 12 and 2.500 as 2.5 in an input a clerk reads (normalize alone gives 1E+2)."""
    if quantity is None:
        return None
    return quantity.quantize(Decimal("1")) if quantity == quantity.to_integral() else quantity.normalize()


def _date(label, *, required: bool = True) -> DayField:
    return DayField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return " · ".join(part for part in (obj.model_code, obj.name, obj.specification) if part)


class RequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProductionRequest) -> str:
        return _("%(code)s × %(n)s, needed by %(date)s") % {
            "code": obj.product.model_code,
            "n": plain(obj.quantity),
            "date": f"{obj.needed_by:%Y-%m-%d}",
        }


def _products():
    return Product.objects.filter(active=True).order_by("model_code")


def open_requests():
    return (
        ProductionRequest.objects.filter(status__in=[ProductionStatus.REQUESTED, ProductionStatus.CONFIRMED])
        .select_related("product")
        .order_by("needed_by", "id")
    )


class StockFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Model code or product name")


class InboundForm(StyledForm, forms.Form):
    """Goods in from production (生产入库), optionally against the request they fulfil."""

    product = ProductChoiceField(label=_("product"), queryset=_products())
    quantity = _quantity(_("quantity received"))
    request = RequestChoiceField(
        label=_("production request fulfilled"),
        queryset=open_requests(),
        required=False,
        empty_label=_("None: stock made ahead"),
    )
    reason = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Fresh querysets per form: requests open and close all day.
        self.fields["product"].queryset = _products()
        self.fields["request"].queryset = open_requests()


class AdjustForm(StyledForm, forms.Form):
    """A stock count (盘点): the quantity found, and why it differs from the books."""

    product = ProductChoiceField(label=_("product"), queryset=_products())
    counted = _quantity(_("quantity counted"), minimum="0")
    reason = forms.CharField(label=_("reason for the difference"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()


class ConfirmProductionForm(StyledForm, forms.Form):
    date = _date(_("production date"))
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class ReceiveProductionForm(StyledForm, forms.Form):
    quantity = _quantity(_("quantity received"))
    reason = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs.update(
            {"aria-label": self.fields["quantity"].label, "inputmode": "decimal"}
        )


class ProductionFilterForm(StyledForm, forms.Form):
    OPEN, DONE, CANCELLED, ALL = "open", "done", "cancelled", "all"
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[
            (OPEN, _("Open")),
            (DONE, _("Done")),
            (CANCELLED, _("Cancelled")),
            (ALL, _("All")),
        ],
    )


class QueueFilterForm(StyledForm, forms.Form):
    day = _date(_("ship date up to"), required=False)


class OutboundFilterForm(StyledForm, forms.Form):
    day = _date(_("posting date"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("All kinds")), *OutboundKind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Outbound or order number, customer")


class ShipForm(StyledForm, forms.Form):
    """One quantity per open order line: what actually leaves now."""

    notes = forms.CharField(label=_("notes"), required=False, max_length=500)
    seen_posted = forms.IntegerField(min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.open > 0]
        for line in self.lines:
            field = _quantity(line.product.model_code, minimum="0")
            field.initial = plain(line.suggested)
            # Added after StyledForm styled the fixed fields, so styled here.
            field.widget.attrs.update(
                {
                    "class": "form-control form-control-sm text-end",
                    "inputmode": "decimal",
                    "aria-label": f"{line.product.model_code} {line.product.name}",
                    "data-testid": f"ship-{line.product.model_code}",
                }
            )
            self.fields[self.field_name(line)] = field

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def bound_lines(self):
        """Each open line with its quantity field, for the template."""
        return [(line, self[self.field_name(line)]) for line in self.lines]

    def quantities(self) -> list[tuple[object, Decimal]]:
        return [(line, self.cleaned_data[self.field_name(line)]) for line in self.lines]
