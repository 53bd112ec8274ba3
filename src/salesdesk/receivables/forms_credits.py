"""Forms of the returns, exchanges and write-off pages.

A return has one quantity box per line of the sale that can still come back; an exchange adds
up to five rows of goods sent instead. A write-off has a tick and an amount per open sale.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Product
from salesdesk.core.forms import StyledForm, UserChoiceField
from salesdesk.receivables.services import MAX_AMOUNT

MAX_QUANTITY = Decimal("99999999999.999")  # what a quantity column (14 digits, 3 places) holds
MAX_UNIT_PRICE = Decimal("9999999999.9999")
EXCHANGE_ROWS = 5
# Boxes the page adds itself get Bootstrap's classes here: StyledForm styles fixed fields only.
NUMBER_BOX = "form-control form-control-sm text-end"


def _quantity_field(label, *, minimum: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(minimum),
        max_value=MAX_QUANTITY,
        max_digits=14,
        decimal_places=3,
        widget=forms.TextInput(attrs={"class": NUMBER_BOX, "inputmode": "decimal"}),
    )


class ExchangeRow:
    """One row of goods sent instead, as the clerk typed it and as it was understood."""

    def __init__(self, index: int, form: ReturnForm):
        self.index = index
        self.code = form[f"new_code_{index}"]
        self.quantity = form[f"new_quantity_{index}"]
        self.unit_price = form[f"new_price_{index}"]

    @property
    def errors(self) -> bool:
        return bool(self.code.errors or self.quantity.errors or self.unit_price.errors)


class ReturnForm(StyledForm, forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        error_messages={"required": _("Say why the goods come back.")},
    )
    agreed_by = UserChoiceField(
        label=_("agreed by"),
        queryset=User.objects.none(),
        empty_label=_("— who agreed —"),
        error_messages={"required": _("Name who agreed to the return.")},
    )
    notes = forms.CharField(label=_("notes"), max_length=500, required=False)

    def __init__(self, *args, lines, agreeing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_by"].queryset = agreeing
        self.lines = list(lines)
        # The price a row sent instead takes when left blank: the sale's own price of that product.
        self.price_hints = {line.product_id: line.unit_price for line in self.lines}
        for line in self.open_lines:
            field = _quantity_field(line.product.model_code, minimum="0")
            field.widget.attrs.update(
                {
                    "aria-label": f"{line.product.model_code} {line.product.name}",
                    "data-testid": f"return-{line.product.model_code}",
                }
            )
            self.fields[self.field_name(line)] = field
        for i in range(EXCHANGE_ROWS):
            self._add_exchange_row(i)

    def _add_exchange_row(self, i: int) -> None:
        self.fields[f"new_code_{i}"] = forms.CharField(
            label=_("model code"),
            max_length=40,
            required=False,
            widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        )
        self.fields[f"new_quantity_{i}"] = _quantity_field(_("quantity"), minimum="0.001")
        self.fields[f"new_price_{i}"] = forms.DecimalField(
            label=_("unit price"),
            required=False,
            min_value=Decimal("0"),
            max_value=MAX_UNIT_PRICE,
            max_digits=14,
            decimal_places=4,
            widget=forms.TextInput(attrs={"class": NUMBER_BOX, "inputmode": "decimal"}),
        )
        for name in ("new_code", "new_quantity", "new_price"):
            field = self.fields[f"{name}_{i}"]
            field.widget.attrs["aria-label"] = f"{field.label} {i + 1}"

    @property
    def open_lines(self) -> list:
        return [line for line in self.lines if line.returnable > 0]

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def bound_lines(self) -> list[tuple[object, forms.BoundField | None]]:
        """Every line of the sale, with its box when something of it can still come back."""
        return [
            (line, self[self.field_name(line)] if self.field_name(line) in self.fields else None)
            for line in self.lines
        ]

    def exchange_rows(self) -> list[ExchangeRow]:
        return [ExchangeRow(i, self) for i in range(EXCHANGE_ROWS)]

    @property
    def exchange_started(self) -> bool:
        """Open the exchange section when the clerk filled or got an error in one of its rows."""
        if not self.is_bound:
            return False
        return any(row.errors or (row.code.value() or "").strip() for row in self.exchange_rows())

    def clean(self) -> dict:
        data = super().clean()
        self.new_rows: list[tuple[int, Product, Decimal, Decimal]] = []
        for i in range(EXCHANGE_ROWS):
            row = self._clean_row(data, i)
            if row is not None:
                self.new_rows.append(row)
        return data

    def _clean_row(self, data: dict, i: int) -> tuple[int, Product, Decimal, Decimal] | None:
        names = (f"new_code_{i}", f"new_quantity_{i}", f"new_price_{i}")
        if any(name in self.errors for name in names):
            return None
        code = (data.get(names[0]) or "").strip()
        quantity, price = data.get(names[1]), data.get(names[2])
        if not code and quantity is None and price is None:
            return None  # an empty row
        product = Product.objects.filter(model_code__iexact=code, active=True).first() if code else None
        if product is None:
            message = _("No active product has model code %(code)s.") % {"code": code}
            self.add_error(names[0], message if code else _("Enter the model code of the goods sent."))
        if quantity is None:
            self.add_error(names[1], _("Enter the quantity sent."))
        if product is None or quantity is None:
            return None
        if price is None:
            price = self.price_hints.get(product.pk, product.standard_price)
        return i, product, quantity, price

    def return_quantities(self) -> list[tuple[object, Decimal]]:
        """Each line with a box and what comes back of it (0 when left blank), in page order."""
        return [
            (line, self.cleaned_data.get(self.field_name(line)) or Decimal("0")) for line in self.open_lines
        ]


class WriteOffForm(StyledForm, forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        error_messages={"required": _("Say why the money cannot be collected.")},
    )

    def __init__(self, *args, sales, **kwargs):
        super().__init__(*args, **kwargs)
        self.sales = list(sales)
        for sale in self.sales:
            self.fields[self.pick_name(sale)] = forms.BooleanField(
                label=sale.number,
                required=False,
                widget=forms.CheckboxInput(
                    attrs={"class": "form-check-input", "data-testid": f"pick-{sale.number}"}
                ),
            )
            self.fields[self.amount_name(sale)] = forms.DecimalField(
                label=_("amount"),
                required=False,
                min_value=Decimal("0.01"),
                max_value=MAX_AMOUNT,
                max_digits=14,
                decimal_places=2,
                widget=forms.TextInput(
                    attrs={
                        "class": NUMBER_BOX,
                        "inputmode": "decimal",
                        "placeholder": f"{sale.open_amount}",
                        "aria-label": f"{sale.number}",
                    }
                ),
            )

    @staticmethod
    def pick_name(sale) -> str:
        return f"pick_{sale.pk}"

    @staticmethod
    def amount_name(sale) -> str:
        return f"amount_{sale.pk}"

    def bound_sales(self) -> list[tuple[object, forms.BoundField, forms.BoundField]]:
        return [(sale, self[self.pick_name(sale)], self[self.amount_name(sale)]) for sale in self.sales]

    def chosen(self) -> list[tuple[object, Decimal | None]]:
        """The sales ticked (or given an amount), each with its amount; None writes off all that is open."""
        data = self.cleaned_data
        return [
            (sale, data.get(self.amount_name(sale)))
            for sale in self.sales
            if data.get(self.pick_name(sale)) or data.get(self.amount_name(sale)) is not None
        ]
