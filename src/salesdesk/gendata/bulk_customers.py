"""The bulk writer's customers: the rows `company.add_customers_through_services` leaves, built in
memory and inserted a table at a time.

Through the services each customer took about 65 statements — its code, its row and contact
with their history, the credit-term application submitted and approved, the prepayment
exception, agreed prices and rebates with their audit events — and each save validated its
foreign keys and check constraints with a query apiece: 68 s of scale 1 on PostgreSQL, before
the first order. `tests/gendata/test_gendata.py` writes a small company both ways and compares
every row, history and audit trail included.
"""

from __future__ import annotations

from django.utils import timezone

from salesdesk.catalog.models import CustomerPrice, RebatePrice
from salesdesk.core.models import AuditEvent, Sequence
from salesdesk.core.money import to_unit_price
from salesdesk.customers.models import ApplicationStatus, Contact, CreditTermApplication, Customer
from salesdesk.customers.services import customer_code
from salesdesk.gendata.bulk_writer import audit_event
from salesdesk.gendata.company import CREDIT_REASON, PREPAYMENT_NOTE, Company, customer_fields, rebate_payee

NO_EXCEPTION = {"prepayment_exception_by_id": None, "prepayment_exception_note": ""}


def _history(obj, kind: str, user, **was):
    """The history row simple_history writes on a save, of `obj` as it was (`was` overrides)."""
    model = type(obj)
    values = {field.attname: getattr(obj, field.attname) for field in model._meta.fields} | was
    return model.history.model(
        history_date=timezone.now(),  # the clock is held at the eve of the history
        history_type=kind,
        history_user=user,
        history_change_reason=None,
        **values,
    )


def add_customers_in_bulk(company: Company, specs) -> None:
    manager, products = company.manager, company.products
    now, today = timezone.now(), timezone.localdate()
    numbers = dict(Sequence.objects.filter(key__startswith="customer:").values_list("key", "last_value"))
    known = set(numbers)
    customers = []
    for spec in specs:
        key = f"customer:{spec.series}"
        numbers[key] = numbers.get(key, 0) + 1
        customer = Customer(
            code=customer_code(spec.series, numbers[key]),
            created_by=company.assistants[spec.assistant],
            **customer_fields(company, spec),
        )
        if spec.credit_days:
            customer.credit_days = spec.credit_days
        if spec.away:
            customer.prepayment_exception_by, customer.prepayment_exception_note = manager, PREPAYMENT_NOTE
        customers.append(customer)
    Customer.objects.bulk_create(customers)
    for key, last_value in numbers.items():  # in the order the services would have created them
        if key in known:
            Sequence.objects.filter(key=key).update(last_value=last_value)
        else:
            Sequence.objects.create(key=key, last_value=last_value)

    history, contacts, applications = [], [], []
    for spec, customer in zip(specs, customers, strict=True):
        assistant = company.assistants[spec.assistant]
        # The customer as created, then as each later step saved it.
        history.append(_history(customer, "+", assistant, credit_days=0, **NO_EXCEPTION))
        contacts.append(Contact(customer=customer, name=spec.contact, phone=spec.phone, role="采购"))
        if spec.credit_days:
            applications.append(
                CreditTermApplication(
                    customer=customer,
                    credit_days=spec.credit_days,
                    reason=CREDIT_REASON,
                    applicant=assistant,
                    status=ApplicationStatus.APPROVED,
                    approver=manager,
                    decided_on=today,
                )
            )
            history.append(_history(customer, "~", manager, **NO_EXCEPTION))
        if spec.away:
            history.append(_history(customer, "~", manager))
    Customer.history.model.objects.bulk_create(history)
    Contact.objects.bulk_create(contacts)
    Contact.history.model.objects.bulk_create([_history(c, "+", c.customer.assistant) for c in contacts])
    CreditTermApplication.objects.bulk_create(applications)

    by_customer = {application.customer_id: application for application in applications}
    application_history, events, prices, rebates = [], [], [], []
    for spec, customer in zip(specs, customers, strict=True):
        assistant = company.assistants[spec.assistant]
        application = by_customer.get(customer.pk)
        if application is not None:
            summary = f"{customer.code} {application.credit_days}"
            pending = {"status": ApplicationStatus.PENDING, "approver_id": None, "decided_on": None}
            application_history += [
                _history(application, "+", assistant, **pending),
                _history(application, "~", manager),
            ]
            events += [
                audit_event(
                    "credit_application.submitted", by=assistant, obj=application, summary=summary, at=now
                ),
                audit_event(
                    "credit_application.approved", by=manager, obj=application, summary=summary, at=now
                ),
            ]
        for product_n, valid_from, price in spec.prices:
            agreed = CustomerPrice(
                customer=customer,
                product=products[product_n],
                unit_price=to_unit_price(price),
                valid_from=valid_from,
                created_by=manager,
                created_at=now,
            )
            prices.append(agreed)
            summary = f"{agreed.product.model_code} {agreed.unit_price} {valid_from}"
            events.append(audit_event("price.set", by=manager, obj=customer, summary=summary, at=now))
            company.prices.setdefault((spec.n, product_n), []).append((valid_from, price))
        for product_n, valid_from, amount in spec.rebates:
            rebate = RebatePrice(
                customer=customer,
                product=products[product_n],
                rebate_unit_price=to_unit_price(amount),
                created_by=assistant,
                valid_from=valid_from,
                **rebate_payee(spec),
            )
            rebates.append(rebate)
            summary = f"{rebate.product.model_code} {rebate.rebate_unit_price} {valid_from}"
            events.append(audit_event("rebate.set", by=assistant, obj=customer, summary=summary, at=now))
            company.rebates.setdefault((spec.n, product_n), []).append((valid_from, rebate))
    CreditTermApplication.history.model.objects.bulk_create(application_history)
    CustomerPrice.objects.bulk_create(prices)
    RebatePrice.objects.bulk_create(rebates)
    AuditEvent.objects.bulk_create(events)
    # As the services leave them: read back, with the database's own decimals and times.
    company.customers += Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("pk")
