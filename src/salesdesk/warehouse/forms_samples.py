"""Forms of the sample pages: the request with its product lines, each step's form, the filter."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from salesdesk.catalog.models import Product
from salesdesk.catalog.selectors import carriers_selectable
from salesdesk.core.forms import DayField, StyledForm, UserChoiceField
from salesdesk.core.roles import scope_to_user
from salesdesk.customers.models import Customer
from salesdesk.warehouse.models import SampleStatus
from salesdesk.warehouse.selectors_samples import OPEN
from salesdesk.warehouse.services_samples import MAX_SAMPLE_LINES, REQUESTER_ROLES

MAX_QUANTITY = Decimal("99999999999.999")


def requesters():
    return (
        User.objects.filter(groups__name__in=[r.value for r in REQUESTER_ROLES], is_active=True)
        .distinct()
        .order_by("username")
    )


class SampleRequestForm(StyledForm, forms.Form):
    customer = forms.CharField(label=_("customer code"), max_length=16)
    requested_by = UserChoiceField(
        label=_("requested by"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Default: you, or the customer's salesperson."),
    )
    note = forms.CharField(
        label=_("note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["requested_by"].queryset = requesters()
        self.fields["customer"].widget.attrs.update(
            {"list": "customer-codes", "autocomplete": "off", "autofocus": True}
        )

    def clean_customer(self) -> Customer:
        code = self.cleaned_data["customer"].strip().upper()
        customer = scope_to_user(Customer.objects.all(), self.user).filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(_("No customer with this code: save the customer first."))
        return customer


class SampleLineForm(StyledForm, forms.Form):
    product = forms.CharField(label=_("product"), max_length=120)
    quantity = forms.DecimalField(
        label=_("quantity"),
        min_value=Decimal("0.001"),
        max_value=MAX_QUANTITY,
        max_digits=14,
        decimal_places=3,
    )

    def clean_product(self) -> Product:
        code = self.cleaned_data["product"].strip().split(" ")[0]
        product = Product.objects.filter(active=True, model_code__iexact=code).first()
        if product is None:
            raise forms.ValidationError(_("No product with this model code."))
        return product


SampleLineFormSet = forms.formset_factory(
    SampleLineForm,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
    max_num=MAX_SAMPLE_LINES,
    validate_max=True,
)


def _date_field(label) -> DayField:
    return DayField(
        label=label,
        required=False,
        help_text=_("Default: today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class SendToFactoryForm(StyledForm, forms.Form):
    sent_to_factory_on = _date_field(_("sent to the factory on"))


class DispatchForm(StyledForm, forms.Form):
    carrier = forms.ModelChoiceField(label=_("carrier"), queryset=carriers_selectable())
    tracking_number = forms.CharField(label=_("tracking number"), max_length=40)
    dispatched_on = _date_field(_("dispatched on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = carriers_selectable().order_by("name")


class DeliveredForm(StyledForm, forms.Form):
    delivered_on = _date_field(_("delivered on"))


class SampleCancelForm(StyledForm, forms.Form):
    reason = forms.CharField(label=_("reason for cancelling"), max_length=200)


class SampleFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("All statuses")), (OPEN, _("Still on the way")), *SampleStatus.choices],
    )
    date_from = DayField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DayField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Customer, model code or tracking number")
