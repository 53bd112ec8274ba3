from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesdesk.calls.models import CallRecord
from salesdesk.core.forms import DayField, StyledForm, UserChoiceField
from salesdesk.customers.models import Customer, CustomerSeries


class CallForm(StyledForm, forms.ModelForm):
    """Made to be filled while the phone is still at the ear: the fewest keystrokes first."""

    customer_code = forms.CharField(label=_("customer code"), required=False, max_length=16)

    class Meta:
        model = CallRecord
        fields = ["at", "company", "contact_name", "phone", "address", "need", "duration_minutes", "notes"]
        widgets = {
            "at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "need": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["company"].widget.attrs["autofocus"] = True

    def clean_customer_code(self) -> Customer | None:
        from salesdesk.core.roles import scope_to_user

        code = self.cleaned_data["customer_code"].strip().upper()
        if not code:
            return None
        customer = scope_to_user(Customer.objects.all(), self.user).filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(_("No customer with this code."))
        return customer


class FollowUpForm(StyledForm, forms.Form):
    question = forms.CharField(label=_("question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    assigned_to = UserChoiceField(
        label=_("assigned to"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    due_on = DayField(label=_("due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ResolveForm(StyledForm, forms.Form):
    resolution = forms.CharField(
        label=_("resolution"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CallToCustomerForm(StyledForm, forms.Form):
    series = forms.ChoiceField(label=_("series"), choices=CustomerSeries.choices)


class CallFilterForm(StyledForm, forms.Form):
    day = DayField(label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
