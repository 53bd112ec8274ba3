from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Product
from salesdesk.catalog.selectors import carriers_selectable
from salesdesk.core.forms import DayField, StyledForm, UserChoiceField, users_with_role
from salesdesk.core.roles import Role, scope_to_user
from salesdesk.customers.models import Customer
from salesdesk.orders.models import Channel, CollectionMethod, OrderStatus, ShipMethod, ShipSlot

MAX_QUANTITY = Decimal("99999999999.999")
MAX_PRICE = Decimal("9999999999.9999")


class CarrierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} · {obj.service_area}" if obj.service_area else obj.name


class OrderHeaderForm(StyledForm, forms.Form):
    customer = forms.CharField(label=_("customer code"), max_length=16)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices, initial=Channel.CUSTOMER_PHONE)
    ship_method = forms.ChoiceField(
        label=_("ship method"), choices=ShipMethod.choices, initial=ShipMethod.EXPRESS
    )
    carrier = CarrierChoiceField(label=_("carrier"), queryset=carriers_selectable(), required=False)
    collection_method = forms.ChoiceField(label=_("collection method"), choices=CollectionMethod.choices)
    salesperson = UserChoiceField(
        label=_("salesperson"), queryset=users_with_role(Role.SALESPERSON), required=False
    )
    warehouse_instructions = forms.CharField(
        label=_("instructions for the warehouse"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["carrier"].queryset = carriers_selectable()
        self.fields["salesperson"].queryset = users_with_role(Role.SALESPERSON)
        self.fields["customer"].widget.attrs.update(
            {"list": "customer-codes", "autocomplete": "off", "autofocus": True}
        )

    def clean_customer(self) -> Customer:
        code = self.cleaned_data["customer"].strip().upper()
        customer = scope_to_user(Customer.objects.all(), self.user).filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(_("No customer with this code: save the customer first."))
        return customer


class OrderLineForm(StyledForm, forms.Form):
    product = forms.CharField(label=_("product"), max_length=120)
    quantity = forms.DecimalField(
        label=_("quantity"), min_value=Decimal("0.001"), max_value=MAX_QUANTITY, decimal_places=3
    )
    unit_price = forms.DecimalField(
        label=_("unit price"), required=False, min_value=0, max_value=MAX_PRICE, decimal_places=4
    )
    requested_date = DayField(
        label=_("requested delivery date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("notes"), required=False, max_length=200)

    def clean_product(self) -> Product:
        text = self.cleaned_data["product"].strip()
        code = text.split(" ")[0]
        product = Product.objects.filter(active=True, model_code__iexact=code).first()
        if product is None:
            product = Product.objects.filter(active=True, name=text).first()
        if product is None:
            raise forms.ValidationError(_("No product with this model code."))
        return product


OrderLineFormSet = forms.formset_factory(
    OrderLineForm, extra=0, min_num=1, validate_min=True, can_delete=True, max_num=200
)


class OverrideForm(StyledForm, forms.Form):
    code = forms.CharField(max_length=20, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), max_length=500)


class ReleaseForm(StyledForm, forms.Form):
    ship_date = DayField(label=_("ship date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ship_slot = forms.ChoiceField(
        label=_("ship slot"), required=False, choices=[("", _("As registered")), *ShipSlot.choices]
    )
    note = forms.CharField(label=_("ship slot note"), required=False, max_length=200)


class ShipInPartsForm(forms.Form):
    # A choice, not a checkbox: an unticked box and a forged value would both read as "no".
    ship_in_parts = forms.TypedChoiceField(
        label=_("ship in parts"),
        choices=[("1", _("Ship in parts")), ("0", _("Wait for all"))],
        coerce=lambda v: v == "1",
    )


class CancelForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class OrderFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All statuses")), *OrderStatus.choices]
    )
    date_from = DayField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DayField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RegisterFilterForm(StyledForm, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("month"), required=False, min_value=1, max_value=12)


class PasteForm(forms.Form):
    text = forms.CharField(max_length=5000)
