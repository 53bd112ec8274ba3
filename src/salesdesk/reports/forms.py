"""The filter form every report page shows, with only the filters its report understands."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from salesdesk.core.forms import StyledForm, UserChoiceField, iso_day_field, users_with_role
from salesdesk.core.roles import Role, role_of, sees_all_customers
from salesdesk.receivables.selectors import customers_in_scope
from salesdesk.reports.base import Filters, Report

FILTER_FIELDS = ("date_from", "date_to", "customer", "salesperson", "assistant", "product")
# Reports read documents of a working life; a date far outside is a typing slip.


def people_choices(user, role: Role) -> QuerySet[User]:
    """The salespeople (or assistants) the user may filter by: those of the customers in scope,
    and the user herself when she has that role; everyone with the role for those who see all."""
    if sees_all_customers(user):
        return users_with_role(role.value)
    field = "salesperson" if role == Role.SALESPERSON else "assistant"
    wanted = Q(pk__in=customers_in_scope(user).values(field))
    if role_of(user) == role:
        wanted |= Q(pk=user.pk)
    return User.objects.filter(wanted, is_active=True).order_by("username")


class ReportFilterForm(StyledForm, forms.Form):
    date_from = iso_day_field(_("from"), required=False)
    date_to = iso_day_field(_("to"), required=False)
    customer = forms.CharField(label=_("customer"), max_length=120, required=False)
    salesperson = UserChoiceField(
        label=_("salesperson"), queryset=User.objects.none(), required=False, empty_label=_("All")
    )
    assistant = UserChoiceField(
        label=_("sales assistant"), queryset=User.objects.none(), required=False, empty_label=_("All")
    )
    product = forms.CharField(label=_("product"), max_length=60, required=False)

    def __init__(self, *args, report: Report, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FILTER_FIELDS:
            if name not in report.filters:
                del self.fields[name]
        if "salesperson" in self.fields:
            self.fields["salesperson"].queryset = people_choices(user, Role.SALESPERSON)
        if "assistant" in self.fields:
            self.fields["assistant"].queryset = people_choices(user, Role.ASSISTANT)
        if "customer" in self.fields:
            self.fields["customer"].widget.attrs["placeholder"] = _("code or part of the name")
        if "product" in self.fields:
            self.fields["product"].widget.attrs["placeholder"] = _("model code or part of the name")
        if "date_from" not in self.fields and "date_to" in self.fields:
            self.fields["date_to"].label = _("as of")  # a report of one day: prices, aging

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> Filters:
        """The filters that passed; a field with an error is left out (and shown beside it)."""
        data = getattr(self, "cleaned_data", {})
        person = {who: (data[who].pk if data.get(who) else None) for who in ("salesperson", "assistant")}
        return Filters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            customer=(data.get("customer") or "").strip(),
            product=(data.get("product") or "").strip(),
            **person,
        )
