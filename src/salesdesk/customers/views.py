from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesdesk.core.errors import DomainError
from salesdesk.core.forms import form_errors_text, show_domain_error
from salesdesk.core.pages import paginate, query_without_page, require_perm
from salesdesk.core.roles import sees_prices
from salesdesk.customers import selectors, services
from salesdesk.customers.forms import (
    ContactFormSet,
    CreditApplicationForm,
    CustomerFilterForm,
    CustomerForm,
    DecisionForm,
)
from salesdesk.customers.models import CreditTermApplication

AREA = {"active_area": "customers"}


def customer_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "customers.view_customer")
    form = CustomerFilterForm(request.GET or None)
    filters = selectors.CustomerFilter(**form.cleaned_data) if form.is_valid() else selectors.CustomerFilter()
    page = paginate(request, selectors.customer_list(user=request.user, filters=filters))
    return render(
        request,
        "customers/customer_list.html",
        {**AREA, "form": form, "page": page, "query": query_without_page(request)},
    )


def _contacts_from(formset) -> list[dict[str, str]]:
    return [
        {k: f.cleaned_data.get(k) or "" for k in ("id", "name", "phone", "role")}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def customer_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "customers.add_customer")
    form = CustomerForm(request.POST or None, request.FILES or None)
    contacts = ContactFormSet(request.POST or None, prefix="contacts")
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        try:
            customer = services.customer_create(
                by=request.user,
                series=form.cleaned_data["series"],
                contacts=_contacts_from(contacts),
                **form.service_fields(),
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Customer %(code)s saved.") % {"code": customer.code})
            return redirect("customers:customer-detail", code=customer.code)
    return render(
        request,
        "customers/customer_form.html",
        {**AREA, "form": form, "contacts": contacts, "creating": True},
    )


def customer_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "customers.change_customer")
    customer = selectors.customer_get_for_user(user=request.user, code=code)
    form = CustomerForm(request.POST or None, request.FILES or None, instance=customer, editing=True)
    initial = [
        {"id": c.pk, "name": c.name, "phone": c.phone, "role": c.role} for c in customer.contacts.all()
    ]
    contacts = ContactFormSet(request.POST or None, prefix="contacts", initial=initial)
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        fields = form.service_fields()
        try:
            with transaction.atomic():
                services.customer_update(customer=customer, by=request.user, **fields)
                services.contacts_replace(
                    customer=customer, by=request.user, contacts=_contacts_from(contacts)
                )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Customer %(code)s saved.") % {"code": customer.code})
            return redirect("customers:customer-detail", code=customer.code)
    return render(
        request,
        "customers/customer_form.html",
        {**AREA, "form": form, "contacts": contacts, "customer": customer},
    )


def customer_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "customers.view_customer")
    customer = selectors.customer_get_for_user(user=request.user, code=code)
    # Read once for what the master data lacks and again for the page, they were read twice.
    applications = CreditTermApplication.objects.select_related("applicant", "approver")
    prefetch_related_objects([customer], "contacts", Prefetch("credit_applications", queryset=applications))
    show_money = sees_prices(request.user)
    context = {
        **AREA,
        "customer": customer,
        "missing": selectors.customer_missing_fields(customer),
        "contacts": customer.contacts.all(),
        "show_money": show_money,
        "history": selectors.customer_history(customer, show_money=show_money),
        "events": selectors.customer_events(customer, show_money=show_money),
    }
    if context["show_money"]:
        context["credit_applications"] = customer.credit_applications.all()
        context["credit_form"] = CreditApplicationForm()
    return render(request, "customers/customer_detail.html", context)


@require_POST
def credit_application_submit(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "customers.add_credittermapplication")
    customer = selectors.customer_get_for_user(user=request.user, code=code)
    form = CreditApplicationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.credit_application_submit(customer=customer, by=request.user, **form.cleaned_data)
            messages.success(request, _("Credit-term application sent to the general manager."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, form_errors_text(form))
    return redirect(f"{customer_url(customer)}#credit")


@require_POST
def credit_application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "customers.approve_credittermapplication")
    application = get_object_or_404(CreditTermApplication.objects.select_related("customer"), pk=pk)
    selectors.customer_get_for_user(user=request.user, code=application.customer.code)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.credit_application_decide(application=application, by=request.user, **form.cleaned_data)
            messages.success(request, _("Decision recorded."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect(f"{customer_url(application.customer)}#credit")


def customer_url(customer) -> str:
    return reverse("customers:customer-detail", args=[customer.code])
