"""Pages of the sample dispatch record: the list, the request form and the detail with its steps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.catalog.models import Product
from salesdesk.core.audit import events_for, trail
from salesdesk.core.errors import DomainError, NotAllowed
from salesdesk.core.forms import show_domain_error
from salesdesk.core.pages import paginate, query_without_page, require_perm
from salesdesk.core.roles import scope_to_user
from salesdesk.core.workflow import status_history
from salesdesk.customers.models import Customer
from salesdesk.warehouse import selectors_samples as selectors
from salesdesk.warehouse import services_samples as services
from salesdesk.warehouse.forms_samples import (
    DeliveredForm,
    DispatchForm,
    SampleCancelForm,
    SampleFilterForm,
    SampleLineFormSet,
    SampleRequestForm,
    SendToFactoryForm,
)
from salesdesk.warehouse.models import SampleDispatch, SampleStatus

AREA = {"active_area": "warehouse"}


def _require_samples(request: HttpRequest) -> None:
    # Whoever sees customers sees their samples; the selectors narrow it to the user's own.
    require_perm(request, "customers.view_customer")


def sample_list(request: HttpRequest) -> HttpResponse:
    _require_samples(request)
    form = SampleFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.SampleFilter(**{k: v for k, v in data.items() if v not in (None, "")})
    page = paginate(request, selectors.sample_list(user=request.user, filters=filters))
    return render(
        request,
        "warehouse/sample_list.html",
        {**AREA, "form": form, "page": page, "query": query_without_page(request)},
    )


def _line_inputs(formset) -> list[services.SampleLineInput]:
    return [
        services.SampleLineInput(product=f.cleaned_data["product"], quantity=f.cleaned_data["quantity"])
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def sample_create(request: HttpRequest) -> HttpResponse:
    """《样品发放记录》: which products, how much, for which customer, asked by whom."""
    _require_samples(request)
    initial = {"customer": request.GET.get("customer", "")[:16]}
    form = SampleRequestForm(request.POST or None, user=request.user, initial=initial)
    lines = SampleLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            sample = services.sample_request(
                customer=form.cleaned_data["customer"],
                by=request.user,
                lines=_line_inputs(lines),
                requested_by=form.cleaned_data.get("requested_by"),
                note=form.cleaned_data.get("note", ""),
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Sample %(ref)s requested.") % {"ref": sample.reference})
            return redirect("warehouse:sample-detail", pk=sample.pk)
    customers = scope_to_user(Customer.objects.exclude(status="closed"), request.user).values_list(
        "code", "name"
    )
    context = {
        **AREA,
        "form": form,
        "lines": lines,
        "customers": customers,
        "products": Product.objects.filter(active=True).order_by("model_code"),
    }
    return render(request, "warehouse/sample_form.html", context)


def _detail(request: HttpRequest, sample: SampleDispatch, **forms) -> HttpResponse:
    labels = dict(SampleStatus.choices)
    transitions = list(status_history(sample))
    for change in transitions:
        change.from_label = labels.get(change.from_status, change.from_status)
        change.to_label = labels.get(change.to_status, change.to_status)
    context = {
        **AREA,
        "sample": sample,
        "lines": selectors.sample_lines(sample),
        "transitions": transitions,
        "events": trail(events_for(sample)),
        "may_move": services.may_move_samples(request.user),
        "may_cancel": services.may_cancel_sample(request.user, sample),
        "send_form": forms.get("send_form") or SendToFactoryForm(),
        "dispatch_form": forms.get("dispatch_form") or DispatchForm(),
        "delivered_form": forms.get("delivered_form") or DeliveredForm(),
        "cancel_form": forms.get("cancel_form") or SampleCancelForm(),
        # A refusal that names no field (the sample moved on meanwhile) shows above the steps.
        "refused": [e for form in forms.values() for e in form.non_field_errors()],
    }
    return render(request, "warehouse/sample_detail.html", context)


def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_samples(request)
    return _detail(request, selectors.sample_get_for_user(user=request.user, pk=pk))


def _step(request: HttpRequest, pk: int, form_class, form_key: str, action, success: str) -> HttpResponse:
    """One step from a button on the detail page; a refused step is shown beside its field there."""
    _require_samples(request)
    if not services.may_move_samples(request.user):
        raise PermissionDenied
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            action(sample=sample, by=request.user, **data)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("warehouse:sample-detail", pk=sample.pk)
    return _detail(request, sample, **{form_key: form})


@require_POST
def sample_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        SendToFactoryForm,
        "send_form",
        services.sample_send_to_factory,
        _("Sent to the factory."),
    )


@require_POST
def sample_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request, pk, DispatchForm, "dispatch_form", services.sample_dispatch, _("Dispatched by courier.")
    )


@require_POST
def sample_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request, pk, DeliveredForm, "delivered_form", services.sample_delivered, _("Marked as delivered.")
    )


@require_POST
def sample_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Whoever asked for the sample may withdraw it too, so this step checks after finding it."""
    _require_samples(request)
    sample = selectors.sample_get_for_user(user=request.user, pk=pk)
    if not services.may_cancel_sample(request.user, sample):
        raise PermissionDenied
    form = SampleCancelForm(request.POST)
    if form.is_valid():
        try:
            services.sample_cancel(sample=sample, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Sample cancelled."))
            return redirect("warehouse:sample-detail", pk=sample.pk)
    return _detail(request, sample, cancel_form=form)
