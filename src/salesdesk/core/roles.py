"""Roles, their groups and permissions, and the one scoping rule every read goes through.

An assistant or salesperson sees only their own customers and what hangs off them; the
warehouse sees what it must ship but no prices or balances; finance and the manager see all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import models
from django.db.models import Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ASSISTANT = "assistant", _("Sales assistant")  # 业务助理: enters and follows orders
    SALESPERSON = "salesperson", _("Salesperson")  # 业务员: owns customers, often on the road
    WAREHOUSE = "warehouse", _("Warehouse")  # 仓库部: ships, sees no prices
    FINANCE = "finance", _("Finance")  # 财务部: money, sees everything
    MANAGER = "manager", _("Manager")  # 陆总: approves, grants permissions


# Quoting a price other than the agreed one (报价权限): the manager, and whom the manager gives it to.
QUOTE_PRICE = "core.quote_price"

# Model permissions per role, as "app_label.codename". Per-user grants (quoting,
# commissions) are not here: the manager gives them to people, not to roles.
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.ASSISTANT: {
        "customers.view_customer",
        "customers.add_customer",
        "customers.change_customer",
        "customers.add_credittermapplication",
        "customers.view_credittermapplication",
        "catalog.view_product",
        "catalog.view_customerprice",
        "catalog.add_customerprice",
        "catalog.view_rebateprice",
        "catalog.view_carrier",
        # Stock and production dates answer "when can it ship"; the assistant hears the date
        # from production and records it. Goods in and counts stay with the warehouse.
        "warehouse.view_stocklevel",
        "warehouse.view_stockmove",
        "warehouse.view_productionrequest",
        "warehouse.change_productionrequest",
        "warehouse.view_outbound",
        # Receivables: the assistant enters receipts, returns, invoices, slips and statements
        # for their own customers and proposes write-offs; finance checks, the manager approves.
        "receivables.view_receipt",
        "receivables.view_invoice",
        "receivables.view_receiptslip",
        "receivables.view_statement",
        "receivables.view_writeoffitem",
        "receivables.add_receipt",
        "receivables.add_invoice",
        "receivables.change_invoice",
        "receivables.add_receiptslip",
        "receivables.add_statement",
        "receivables.change_statement",
        "receivables.add_writeoffitem",
        "receivables.record_return",
        "commissions.view_commissionaccrual",
        "commissions.view_commissionstatement",
        "commissions.add_commissionstatement",
    },
    Role.SALESPERSON: {
        "customers.view_customer",
        "customers.add_customer",
        "customers.change_customer",
        "customers.add_credittermapplication",
        "customers.view_credittermapplication",
        "catalog.view_product",
        "catalog.view_customerprice",
        "catalog.view_rebateprice",
        "catalog.view_carrier",
        "warehouse.view_stocklevel",
        "warehouse.view_productionrequest",
        "warehouse.view_outbound",
        "receivables.view_receipt",
        "receivables.view_invoice",
        "receivables.view_receiptslip",
        "receivables.view_statement",
        "receivables.view_writeoffitem",
        "commissions.view_commissionaccrual",
        "commissions.view_commissionstatement",
    },
    Role.WAREHOUSE: {
        "customers.view_customer",
        "catalog.view_product",
        "catalog.view_carrier",
        "warehouse.view_stocklevel",
        "warehouse.change_stocklevel",
        "warehouse.view_stockmove",
        "warehouse.view_productionrequest",
        "warehouse.change_productionrequest",
        "warehouse.view_outbound",
        "warehouse.post_outbound",
    },
    Role.FINANCE: {
        "customers.view_customer",
        "customers.view_credittermapplication",
        "catalog.view_product",
        "catalog.view_customerprice",
        "catalog.view_rebateprice",
        "catalog.view_carrier",
        "warehouse.view_stocklevel",
        "warehouse.view_stockmove",
        "warehouse.view_productionrequest",
        "warehouse.view_outbound",
        "receivables.view_receipt",
        "receivables.view_invoice",
        "receivables.view_receiptslip",
        "receivables.view_statement",
        "receivables.view_writeoffitem",
        "receivables.add_receipt",
        "receivables.add_invoice",
        "receivables.change_invoice",
        "receivables.add_receiptslip",
        "receivables.add_statement",
        "receivables.change_statement",
        "receivables.add_writeoffitem",
        "receivables.check_receipt",
        # Small write-offs (up to SALESDESK_WRITE_OFF_LIMIT) need not wait for the manager.
        "receivables.approve_small_write_off",
        # Finance checks the month's commission statements against the payments and pays them.
        "commissions.view_commissionaccrual",
        "commissions.view_commissionstatement",
        "core.approve_commission",
        "commissions.pay_commission",
    },
    Role.MANAGER: {
        "customers.view_customer",
        "customers.add_customer",
        "customers.change_customer",
        "customers.add_credittermapplication",
        "customers.view_credittermapplication",
        "customers.approve_credittermapplication",
        "catalog.view_product",
        "catalog.add_product",
        "catalog.change_product",
        "catalog.view_customerprice",
        "catalog.add_customerprice",
        "catalog.view_rebateprice",
        "catalog.add_rebateprice",
        "catalog.view_carrier",
        "catalog.add_carrier",
        "catalog.change_carrier",
        "catalog.suspend_carrier",
        QUOTE_PRICE,
        "core.set_rebate",
        "core.approve_commission",
        "warehouse.view_stocklevel",
        "warehouse.change_stocklevel",
        "warehouse.view_stockmove",
        "warehouse.view_productionrequest",
        "warehouse.change_productionrequest",
        "warehouse.view_outbound",
        "warehouse.post_outbound",
        "receivables.view_receipt",
        "receivables.view_invoice",
        "receivables.view_receiptslip",
        "receivables.view_statement",
        "receivables.view_writeoffitem",
        "receivables.add_receipt",
        "receivables.add_invoice",
        "receivables.change_invoice",
        "receivables.add_receiptslip",
        "receivables.add_statement",
        "receivables.change_statement",
        "receivables.add_writeoffitem",
        "receivables.check_receipt",
        "receivables.record_return",
        "receivables.approve_write_off",
        "commissions.view_commissionaccrual",
        "commissions.view_commissionstatement",
        "commissions.add_commissionstatement",
        "commissions.pay_commission",
    },
}

# Checked in this order, so a user in two groups gets the wider view.
_ROLE_PRECEDENCE = [Role.MANAGER, Role.FINANCE, Role.ASSISTANT, Role.SALESPERSON, Role.WAREHOUSE]


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and give them exactly their permissions (after migrate)."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:  # an app not migrated yet adds its permissions next run
                wanted.append(perm)
        group.permissions.set(wanted)


def role_of(user) -> Role | None:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.MANAGER
    remembered = getattr(user, "_salesdesk_role", "unset")  # `remember_roles`, for a list of people
    return access_of(user).role if remembered == "unset" else remembered


@dataclass
class Access:
    """What a user may do, as a request learns it once: the role, and the permissions given to
    the user and to the user's groups (as "app_label.codename")."""

    role: Role | None
    user_permissions: frozenset[str]
    group_permissions: frozenset[str]

    @cached_property
    def permissions(self) -> frozenset[str]:
        return self.user_permissions | self.group_permissions


def access_of(user) -> Access:
    """The user's role and permissions in one read, kept on the user object for its request.

    Every page asks both: apart, they were three reads a request (Django's two for the
    permissions, one for the groups), each built by the ORM anew."""
    known = getattr(user, "_salesdesk_access", None)
    if known is None:
        known = user._salesdesk_access = _read_access(user)
    return known


def _read_access(user) -> Access:
    label = "content_type__app_label"
    own = Permission.objects.filter(user=user).values_list(_kind("user"), label, "codename")
    by_group = Permission.objects.filter(group__user=user).values_list(_kind("group"), label, "codename")
    groups = Group.objects.filter(user=user).values_list(_kind("role"), "name", _kind(""))
    found: dict[str, set[str]] = {"user": set(), "group": set(), "role": set()}
    # Unsorted: a compound statement takes no ORDER BY in its parts (Permission has one).
    rows = own.order_by().union(by_group.order_by(), groups.order_by(), all=True)
    for kind, first, second in rows:
        found[kind].add(first if kind == "role" else f"{first}.{second}")
    return Access(_role_named(found["role"]), frozenset(found["user"]), frozenset(found["group"]))


def _kind(text: str) -> Value:
    return Value(text, output_field=models.CharField())


def _role_named(group_names: set[str]) -> Role | None:
    return next((r for r in _ROLE_PRECEDENCE if r.value in group_names), None)


def remember_roles(users) -> None:
    """Read the roles of several people, and whether each may quote, in one query, for a list
    that asks each of them (`role_of` and `can_quote` then answer from what they remember)."""
    waiting = {u.pk: u for u in users if getattr(u, "_salesdesk_role", "unset") == "unset"}
    if not waiting:
        return
    app_label, codename = QUOTE_PRICE.split(".")
    memberships = Group.user_set.through.objects.filter(user_id__in=waiting)
    groups = memberships.values_list("user_id", _kind("role"), "group__name")
    own = (
        get_user_model()
        .user_permissions.through.objects.filter(
            user_id__in=waiting, permission__codename=codename, permission__content_type__app_label=app_label
        )
        .values_list("user_id", _kind("quotes"), _kind(""))
    )
    by_group = memberships.filter(
        group__permissions__codename=codename, group__permissions__content_type__app_label=app_label
    ).values_list("user_id", _kind("quotes"), _kind(""))
    names: dict[int, set[str]] = {pk: set() for pk in waiting}
    quotes: set[int] = set()
    # As `has_perm` answers: the person's own grant or a group's, and only while still employed
    # (superusers quote while active, as Django's backend says).
    for user_id, kind, name in groups.order_by().union(own.order_by(), by_group.order_by(), all=True):
        if kind == "role":
            names[user_id].add(name)
        else:
            quotes.add(user_id)
    for pk, user in waiting.items():
        user._salesdesk_role = _role_named(names[pk])
        user._salesdesk_quotes = user.is_active and (user.is_superuser or pk in quotes)


def sees_all_customers(user) -> bool:
    return role_of(user) in {Role.MANAGER, Role.FINANCE, Role.WAREHOUSE}


def sees_prices(user) -> bool:
    """The warehouse handles goods, not money: no prices, amounts or balances."""
    role = role_of(user)
    return role is not None and role != Role.WAREHOUSE


def can_quote(user) -> bool:
    remembered = getattr(user, "_salesdesk_quotes", None)
    return user.has_perm(QUOTE_PRICE) if remembered is None else remembered


def owner_filter(user, customer_path: str = "") -> Q:
    """The rows `user` may see, as a Q object.

    `customer_path` leads from the model to its customer ("" when the model is Customer
    itself, "order__customer" for order lines, ...).
    """
    role = role_of(user)
    prefix = f"{customer_path}__" if customer_path else ""
    if role is None:
        return Q(pk__in=[])
    if sees_all_customers(user):
        return Q()
    if role == Role.ASSISTANT:
        return Q(**{f"{prefix}assistant": user})
    if role == Role.SALESPERSON:
        return Q(**{f"{prefix}salesperson": user})
    return Q(pk__in=[])


def scope_to_user(qs: QuerySet, user, customer_path: str = "") -> QuerySet:
    """Limit `qs` to the rows `user` may see: every page, API call and export uses this."""
    return qs.filter(owner_filter(user, customer_path))
