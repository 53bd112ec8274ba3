from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from salesdesk.core.forms import DayField, StyledForm
from salesdesk.core.roles import Role

GRANT_CHOICES = [
    ("quote_price", _("Quoting permission (报价权限)")),
    ("set_rebate", _("Commission permission: set rebate prices (回佣权限)")),
    ("approve_commission", _("Approve commission statements")),
]


class UserCreateForm(StyledForm, forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Letters, digits and @/./+/-/_ only.")},
    )
    display_name = forms.CharField(label=_("display name"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        max_length=128,
        help_text=_("At least 12 characters."),
    )


class GrantsForm(StyledForm, forms.Form):
    grants = forms.MultipleChoiceField(
        label=_("Permissions"), choices=GRANT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    max_rebate_per_unit = forms.DecimalField(
        label=_("maximum rebate per unit"),
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=4,
        help_text=_("回佣额度: leave empty for no limit."),
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class CalendarDayForm(StyledForm, forms.Form):
    date = DayField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("kind"),
        coerce=lambda v: v == "1",
        choices=[("0", _("Holiday: no shipping")), ("1", _("Working day on a weekend (调休)"))],
    )
    name = forms.CharField(label=_("name"), max_length=50, required=False)
