from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from salesdesk.core.forms import StyledForm, UserChoiceField, users_with_role
from salesdesk.core.roles import Role
from salesdesk.customers.models import Contact, Customer, CustomerSeries, CustomerStatus
from salesdesk.customers.services import EDITABLE_FIELDS


class CustomerForm(StyledForm, forms.ModelForm):
    series = forms.ChoiceField(label=_("series"), choices=CustomerSeries.choices)
    salesperson = UserChoiceField(
        label=_("salesperson"), queryset=users_with_role(Role.SALESPERSON), required=False
    )
    assistant = UserChoiceField(
        label=_("sales assistant"), queryset=users_with_role(Role.ASSISTANT), required=False
    )
    prepayment_exception_by = UserChoiceField(
        label=_("prepayment exception granted by"), queryset=users_with_role(Role.SALESPERSON), required=False
    )

    class Meta:
        model = Customer
        fields = ["series", *EDITABLE_FIELDS]
        widgets = {
            "shipping_notes": forms.Textarea(attrs={"rows": 2}),
            "contract_terms": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "contract_valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contract_valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["salesperson"].queryset = users_with_role(Role.SALESPERSON)
        self.fields["assistant"].queryset = users_with_role(Role.ASSISTANT)
        self.fields["prepayment_exception_by"].queryset = users_with_role(Role.SALESPERSON)
        if editing:
            del self.fields["series"]  # the code says the series; it never changes
        else:
            self.fields["status"].initial = CustomerStatus.ACTIVE
        # Credit days change only through an approved credit-term application.
        self.fields["credit_days"].help_text = _("More than 0 needs an approved credit-term application.")

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in EDITABLE_FIELDS}


class ContactForm(StyledForm, forms.ModelForm):
    # Kept through an edit, so a contact keeps its history instead of being deleted and re-added.
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Contact
        fields = ["name", "phone", "role"]


ContactFormSet = forms.formset_factory(
    ContactForm, extra=0, min_num=1, validate_min=True, can_delete=True, max_num=20
)


class CreditApplicationForm(StyledForm, forms.Form):
    credit_days = forms.IntegerField(label=_("credit days"), min_value=1, max_value=365)
    reason = forms.CharField(
        label=_("reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    scan = forms.FileField(label=_("signed form (scan)"), required=False)


class DecisionForm(StyledForm, forms.Form):
    approve = forms.TypedChoiceField(
        coerce=lambda v: v == "1", choices=[("1", _("Approve")), ("0", _("Reject"))]
    )
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class CustomerFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    series = forms.ChoiceField(
        label=_("series"), required=False, choices=[("", _("All series")), *CustomerSeries.choices]
    )
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All statuses")), *CustomerStatus.choices]
    )
    incomplete = forms.BooleanField(label=_("Incomplete master data only"), required=False)
