"""The charts page (sales by month, AR aging, top customers, COD money by carrier) and the same
figures as JSON. Money on every chart: the warehouse is refused."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.core.forms import StyledForm, UserChoiceField, iso_day_field
from salesdesk.core.pages import require_perm
from salesdesk.reports import charts
from salesdesk.reports.base import Filters

VIEW = "receivables.view_receipt"  # who may see receivables may see the charts of them
MAX_MONTHS = 60  # a longer period makes bars too thin to read; the reports list every row


class ChartFilterForm(StyledForm, forms.Form):
    date_from = iso_day_field(gettext_lazy("from"), required=False)
    # also the day of the aging and of the COD chart
    date_to = iso_day_field(gettext_lazy("to"), required=False)
    customer = forms.CharField(label=gettext_lazy("customer code or name"), max_length=100, required=False)
    salesperson = UserChoiceField(
        label=gettext_lazy("salesperson"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("All salespeople"),
    )
    assistant = UserChoiceField(
        label=gettext_lazy("sales assistant"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("All assistants"),
    )
    by_salesperson = forms.BooleanField(label=gettext_lazy("split by salesperson"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = charts.default_period()
        self.fields["date_from"].initial, self.fields["date_to"].initial = start, end
        customers = charts.chart_customers(user, Filters())
        people = User.objects.order_by("first_name", "username")
        for name in ("salesperson", "assistant"):
            choices = people.filter(pk__in=customers.values(name))
            # Someone who sees only their own customers has no one else to choose.
            if len(choices) > 1:
                self.fields[name].queryset = choices
            else:
                del self.fields[name]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        elif start and len(charts.months_between(start, end or charts.default_period()[1])) > MAX_MONTHS:
            self.add_error("date_from", _("Choose a period of at most %(n)s months.") % {"n": MAX_MONTHS})
        return data

    def filters(self) -> Filters:
        """What the form asks for; an invalid form asks for the defaults (its errors are shown)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start, end = charts.default_period()
        salesperson, assistant = data.get("salesperson"), data.get("assistant")
        return Filters(
            date_from=data.get("date_from") or (None if data.get("date_to") else start),
            date_to=data.get("date_to") or end,
            customer=data.get("customer", ""),
            salesperson=salesperson.pk if salesperson else None,
            assistant=assistant.pk if assistant else None,
        )

    def split(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data["by_salesperson"])


def chart_page(request: HttpRequest) -> HttpResponse:
    """图表: the four charts on one page, each with its table of the same numbers."""
    require_perm(request, VIEW)
    form = ChartFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    figures = charts.page_charts(request.user, filters, by_salesperson=form.split())
    context = {
        "active_area": "reports",
        "form": form,
        "period": charts.period(filters),
        "charts": [(chart, chart.as_json(), chart.table()) for chart in figures],
    }
    return render(request, "reports/charts.html", context)


def chart_data(request: HttpRequest, name: str) -> HttpResponse:
    """One chart's figures as JSON: labels, series of decimal strings, total."""
    require_perm(request, VIEW)
    figure = charts.CHARTS.get(name)
    if figure is None:
        raise Http404(_("No such chart."))
    form = ChartFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        errors = [
            {"field": field, "message": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
        return JsonResponse({"detail": errors[0]["message"], "errors": errors}, status=400)
    chart = figure(request.user, form.filters(), form.split())
    return JsonResponse(chart.as_json())
