from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Carrier, Product
from salesdesk.core.forms import DayField, StyledForm

MONEY_MAX = Decimal("9999999999.9999")


class ProductForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "model_code",
            "name",
            "specification",
            "unit",
            "standard_price",
            "active",
            "is_new",
            "selling_points",
        ]
        widgets = {"selling_points": forms.Textarea(attrs={"rows": 2})}


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.model_code} {obj.name}"


class PriceForm(StyledForm, forms.Form):
    product = ProductChoiceField(label=_("product"), queryset=Product.objects.filter(active=True))
    unit_price = forms.DecimalField(
        label=_("agreed unit price"), min_value=0, max_value=MONEY_MAX, decimal_places=4
    )
    valid_from = DayField(
        label=_("valid from"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class RebateForm(StyledForm, forms.Form):
    product = ProductChoiceField(label=_("product"), queryset=Product.objects.filter(active=True))
    rebate_unit_price = forms.DecimalField(
        label=_("rebate per unit"), min_value=0, max_value=MONEY_MAX, decimal_places=4
    )
    valid_from = DayField(
        label=_("valid from"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    payee_name = forms.CharField(label=_("payee"), max_length=50)
    payee_id_number = forms.CharField(label=_("payee id number"), required=False, max_length=30)
    payee_bank = forms.CharField(label=_("payee bank"), required=False, max_length=100)
    payee_account = forms.CharField(label=_("payee account"), required=False, max_length=40)


class CarrierForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Carrier
        fields = [
            "name",
            "kind",
            "service_area",
            "can_collect_cod",
            "can_return_notes",
            "return_deadline_days",
            "contact",
        ]


class SuspendForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("suspension reason"), max_length=200)


class ProductFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    new_only = forms.BooleanField(label=_("new products only"), required=False)
    active_only = forms.BooleanField(label=_("active only"), required=False)
