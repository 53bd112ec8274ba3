from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.calls import selectors, services
from salesdesk.calls.forms import CallFilterForm, CallForm, CallToCustomerForm, FollowUpForm, ResolveForm
from salesdesk.core.audit import events_for, trail
from salesdesk.core.errors import DomainError
from salesdesk.core.forms import form_errors_text, show_domain_error
from salesdesk.core.pages import paginate, query_without_page, require_perm
from salesdesk.core.people import name_of

AREA = {"active_area": "orders"}


def call_list(request: HttpRequest) -> HttpResponse:
    form = CallFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(
        request,
        selectors.call_list(user=request.user, **filters),
        shown=selectors.call_rows,
        cut_from=selectors.call_list(user=request.user, **filters, to_cut=True),
    )
    return render(
        request,
        "calls/call_list.html",
        {**AREA, "form": form, "page": page, "query": query_without_page(request)},
    )


def call_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "customers.view_customer")
    form = CallForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "customer_code"}
        try:
            call = services.call_log(by=request.user, customer=form.cleaned_data["customer_code"], **fields)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Call logged."))
            return redirect("calls:call-detail", pk=call.pk)
    return render(request, "calls/call_form.html", {**AREA, "form": form})


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.call_get_for_user(user=request.user, pk=pk)
    context = {
        **AREA,
        "call": call,
        "follow_ups": call.follow_ups.select_related("assigned_to", "resolved_by", "created_by"),
        "follow_up_form": FollowUpForm(),
        "resolve_form": ResolveForm(),
        "customer_form": CallToCustomerForm(),
        "events": trail(events_for(call)),
    }
    return render(request, "calls/call_detail.html", context)


@require_POST
def follow_up_raise(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.call_get_for_user(user=request.user, pk=pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            follow_up = services.follow_up_raise(call=call, by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("Follow-up passed to %(who)s.") % {"who": name_of(follow_up.assigned_to)},
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, form_errors_text(form))
    return redirect("calls:call-detail", pk=call.pk)


@require_POST
def follow_up_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get_for_user(user=request.user, pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_resolve(follow_up=follow_up, by=request.user, **form.cleaned_data)
            messages.success(request, _("Follow-up resolved."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Say how it was resolved."))
    if request.POST.get("next") == "list":
        return redirect("calls:follow-up-list")
    return redirect("calls:call-detail", pk=follow_up.call_id)


def follow_up_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    page = paginate(request, selectors.follow_ups_for(user=request.user, open_only=not show_all))
    return render(
        request,
        "calls/follow_up_list.html",
        {
            **AREA,
            "page": page,
            "show_all": show_all,
            "resolve_form": ResolveForm(),
            "query": query_without_page(request),
        },
    )


@require_POST
def call_to_customer(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "customers.add_customer")
    call = selectors.call_get_for_user(user=request.user, pk=pk)
    form = CallToCustomerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a customer series."))
        return redirect("calls:call-detail", pk=call.pk)
    try:
        customer = services.call_to_customer(call=call, by=request.user, series=form.cleaned_data["series"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("calls:call-detail", pk=call.pk)
    messages.success(
        request,
        _("Customer %(code)s saved from the call: fill in the rest of the master data.")
        % {"code": customer.code},
    )
    return redirect("customers:customer-edit", code=customer.code)
