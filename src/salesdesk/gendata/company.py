"""The generated company's people, products, carriers and customers. People, products and
carriers go through the services (they are few); customers through the services or, for the bulk
writer, in bulk (`bulk_customers`), as their writer chooses; what is many — orders and money — is
written by the writers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from salesdesk.catalog import services as catalog
from salesdesk.catalog.models import Carrier, Product, RebatePrice
from salesdesk.core.models import UserProfile
from salesdesk.core.roles import Role
from salesdesk.customers import services as customers
from salesdesk.customers.models import Customer
from salesdesk.gendata.plan import ASSISTANTS, SALESPEOPLE, SURNAMES, Plan

PASSWORD = "salesdesk-demo-2026"  # noqa: S105 - the demo's, so the load run logs in the same way


@dataclass
class Company:
    manager: User
    assistants: list[User]
    salespeople: list[User]
    clerks: list[User]
    finance: list[User]
    products: list[Product]
    carriers: list[Carrier]
    customers: list[Customer]
    # (customer n, product n) → [(valid from, unit price)] and [(valid from, RebatePrice)], oldest first
    prices: dict[tuple[int, int], list[tuple[dt.date, Decimal]]] = field(default_factory=dict)
    rebates: dict[tuple[int, int], list[tuple[dt.date, RebatePrice]]] = field(default_factory=dict)

    def assistant_of(self, customer_pk: int) -> User:
        if not hasattr(self, "_assistant_of"):
            by_pk = {u.pk: u for u in self.assistants}
            self._assistant_of = {c.pk: by_pk[c.assistant_id] for c in self.customers}
        return self._assistant_of[customer_pk]

    def users(self) -> list[tuple[str, str]]:
        """(username, role) of everyone, for the summary the command prints."""
        people = [(self.manager, "manager")]
        people += [(u, "assistant") for u in self.assistants] + [(u, "salesperson") for u in self.salespeople]
        people += [(u, "warehouse") for u in self.clerks] + [(u, "finance") for u in self.finance]
        return [(u.username, role) for u, role in people]


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return make_password(PASSWORD)


def _user(username: str, display: str, role: Role, *, quote: bool = False, rebate: bool = False) -> User:
    # One hash for everyone: hashing is slow on purpose, and they share the demo password.
    user = User.objects.create(
        username=username, password=_password_hash(), first_name=display, date_joined=timezone.now()
    )
    user.groups.add(Group.objects.get(name=role.value))
    profile = UserProfile.objects.create(user=user, display_name=display)
    if rebate:
        profile.max_rebate_per_unit = Decimal("100")
        profile.save()
    for codename, granted in (("quote_price", quote), ("set_rebate", rebate)):
        if granted:
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label="core", codename=codename)
            )
    return user


def build_company(plan: Plan, *, add_customers) -> Company:
    """People, products, carriers and customers with their agreed prices, rebates and credit terms."""
    names = iter(f"{s}{g}" for s in SURNAMES for g in "伟芳敏静丽强磊军洋勇")
    manager = _user("manager", "陆总", Role.MANAGER)
    manager.is_staff = True
    manager.save()
    assistants = [
        _user(f"assistant{i + 1}", f"{next(names)}（业务助理）", Role.ASSISTANT, quote=True, rebate=True)
        for i in range(ASSISTANTS)
    ]
    salespeople = [
        _user(f"sales{i + 1}", f"{next(names)}（业务员）", Role.SALESPERSON) for i in range(SALESPEOPLE)
    ]
    clerks = [_user(f"warehouse{i + 1}", f"{next(names)}（仓库）", Role.WAREHOUSE) for i in range(2)]
    finance = [_user(f"finance{i + 1}", f"{next(names)}（财务）", Role.FINANCE) for i in range(2)]
    products = [
        catalog.product_create(
            by=manager,
            model_code=p.model_code,
            name=p.name,
            specification="18kg/桶" if p.unit == "kg" else "4L/罐",
            unit=p.unit,
            standard_price=p.standard_price,
        )
        for p in plan.products
    ]
    carriers = [
        catalog.carrier_create(
            by=manager,
            name=name,
            kind="courier" if kind == "express" else kind,
            service_area="全国",
            can_collect_cod=cod,
            can_return_notes=notes,
            return_deadline_days=days,
        )
        for name, kind, cod, notes, days in plan.carriers.rows
    ]
    company = Company(manager, assistants, salespeople, clerks, finance, products, carriers, customers=[])
    add_customers(company, plan.customers)
    return company


CREDIT_REASON = "老客户，按月结算"
PREPAYMENT_NOTE = "长期合作，货到付款"


def customer_fields(company: Company, spec) -> dict:
    """What the assistant fills in for a new customer (`customer_create`'s fields)."""
    invoice = (
        {
            "invoice_required": True,
            "invoice_day": spec.invoice_day,
            "invoice_title": spec.name,
            "tax_id": f"91440{spec.n:013d}",
        }
        if spec.invoice_required
        else {"receipt_seal": "kedi_received"}
    )
    return {
        "series": spec.series,
        "name": spec.name,
        "region": spec.region,
        "province": spec.province,
        "city": spec.city,
        "address": spec.address,
        "salesperson": company.salespeople[spec.salesperson],
        "assistant": company.assistants[spec.assistant],
        "credit_limit": spec.credit_limit,
        "rebate": spec.rebate,
        "settlement": spec.settlement,
        "shipping_notes": "送货前电话联系",
        **invoice,
    }


def rebate_payee(spec) -> dict:
    return {"payee_name": spec.contact, "payee_bank": "中国工商银行", "payee_account": f"6222{spec.n:015d}"}


def add_customers_through_services(company: Company, specs) -> None:
    """Each customer as the assistant and the manager enter them, one service call at a time."""
    for spec in specs:
        company.customers.append(_customer(company, spec))


def _customer(company: Company, spec) -> Customer:
    manager = company.manager
    assistant = company.assistants[spec.assistant]
    customer = customers.customer_create(
        by=assistant,
        contacts=[{"name": spec.contact, "phone": spec.phone, "role": "采购"}],
        **customer_fields(company, spec),
    )
    if spec.credit_days:
        application = customers.credit_application_submit(
            customer=customer, by=assistant, credit_days=spec.credit_days, reason=CREDIT_REASON
        )
        customers.credit_application_decide(application=application, by=manager, approve=True)
    if spec.away:
        customers.customer_update(
            customer=customer,
            by=manager,
            prepayment_exception_by=manager,
            prepayment_exception_note=PREPAYMENT_NOTE,
        )
    customer.refresh_from_db()
    products = company.products
    for product_n, valid_from, price in spec.prices:
        catalog.price_set(
            customer=customer,
            product=products[product_n],
            unit_price=price,
            valid_from=valid_from,
            by=manager,
        )
        company.prices.setdefault((spec.n, product_n), []).append((valid_from, price))
    for product_n, valid_from, amount in spec.rebates:
        rebate = catalog.rebate_set(
            customer=customer,
            product=products[product_n],
            rebate_unit_price=amount,
            valid_from=valid_from,
            by=assistant,
            **rebate_payee(spec),
        )
        company.rebates.setdefault((spec.n, product_n), []).append((valid_from, rebate))
    return customer


def in_force(rows: list, on: dt.date):
    """The value of the latest row that started on or before `on`, or None."""
    found = None
    for valid_from, value in rows:
        if valid_from <= on:
            found = value
    return found
