"""Customer lists in and out of Excel: the columns, checking a row, writing it, exporting.

Customer codes are always allocated by the system (SPEC section 2): a code column in an
uploaded file is ignored, and every imported customer gets the next code of its series.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from salesdesk.core.forms import users_with_role
from salesdesk.core.imports import Importer, RowCheck
from salesdesk.core.people import name_of
from salesdesk.core.roles import Role
from salesdesk.core.spreadsheets import Column, SheetRow, cell_bool, cell_choice, cell_int, cell_text
from salesdesk.customers import services
from salesdesk.customers.models import Contact, Customer, CustomerSeries, ReceiptSeal, Settlement

# The words an assistant writes in a sheet, first one being what exports write.
SERIES_WORDS = {
    CustomerSeries.COMPANY: ["公司客户", "公司", "company"],
    CustomerSeries.SALESPERSON: ["业务员客户", "业务员", "salesperson"],
    CustomerSeries.AGENT: ["代理商", "代理", "agent"],
}
SETTLEMENT_WORDS = {
    Settlement.CASH: ["现金", "现款"],
    Settlement.TRANSFER: ["银行转账", "转账", "汇款"],
    Settlement.COD: ["货到付款", "代收货款", "到付"],
    Settlement.CHEQUE: ["支票"],
    Settlement.MONTHLY: ["月结", "月结对账", "对账结算"],
}
SEAL_WORDS = {
    ReceiptSeal.KEDI_RECEIVED: ["科迪收讫章", "收讫章"],
    ReceiptSeal.KEDI_OFFICIAL: ["科迪公章"],
    ReceiptSeal.NANHUACHENG: ["南化成公章"],
}

CODE_COLUMN = Column("code", "客户编号", ("code", "customer code"), width=10)
COLUMNS = [
    Column("series", "客户类别", ("series", "系列", "类别", "客户系列"), required=True, width=10),
    Column("name", "客户名称", ("name", "customer name", "单位", "单位名称"), required=True, width=28),
    Column("region", "区域", ("region",), width=10),
    Column("province", "省份", ("province", "省"), width=8),
    Column("city", "城市", ("city", "市"), width=8),
    Column("address", "地址", ("address", "详细地址"), width=32),
    Column("salesperson", "业务员", ("salesperson",), width=10),
    Column("assistant", "业务助理", ("assistant", "sales assistant"), width=10),
    Column("credit_days", "数期", ("credit days", "credit_days", "账期"), width=6),
    Column("invoice_required", "是否开票", ("invoice required", "invoice_required", "开票"), width=8),
    Column("invoice_day", "开票日", ("invoice day", "invoice_day"), width=8),
    Column("invoice_title", "发票抬头", ("invoice title", "invoice_title"), width=28),
    Column("tax_id", "税号", ("tax id", "tax_id", "纳税人识别号"), width=22),
    Column("rebate", "是否回扣", ("rebate", "回扣"), width=8),
    Column(
        "shipping_notes", "出货要求", ("shipping notes", "shipping_notes", "shipping requirements"), width=28
    ),
    Column("settlement", "结算方式", ("settlement", "settlement method"), width=10),
    Column("receipt_seal", "收据印章", ("receipt seal", "receipt_seal", "印章"), width=12),
    Column("contact_name", "联系人", ("contact", "contact name", "contact_name"), width=10),
    Column("contact_phone", "联系电话", ("phone", "contact phone", "contact_phone", "电话"), width=14),
    Column("contact_role", "联系人职务", ("contact role", "contact_role", "职务"), width=10),
]
# Columns the warehouse does not get: credit terms and rebates are money matters.
MONEY_FIELDS = {"credit_days", "rebate"}
LOOKED_UP = ["code", "series", "salesperson", "assistant", "created_by"]
TEXT_FIELDS = ["region", "province", "city", "address", "invoice_title", "tax_id", "shipping_notes"]


def _words(words: dict[str, list[str]], choices) -> dict[str, str]:
    """Every accepted spelling → stored value: the code, its labels in both languages, the words."""
    accepted = {}
    for value, label in choices:
        accepted[value] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                accepted[str(label)] = value
        for word in words.get(value, []):
            accepted[word] = value
    return accepted


class CustomerImport(Importer):
    kind = "customers"
    permission = "customers.add_customer"
    columns = COLUMNS
    error_fields = {
        "contacts[0].name": "contact_name",
        "contacts[0].phone": "contact_phone",
        "contacts[0].role": "contact_role",
    }

    def prepare(self, rows: list[SheetRow]) -> None:
        self.series = _words(SERIES_WORDS, CustomerSeries.choices)
        self.settlements = _words(SETTLEMENT_WORDS, Settlement.choices)
        self.seals = _words(SEAL_WORDS, ReceiptSeal.choices)
        self.people = {role: _people(role) for role in (Role.SALESPERSON, Role.ASSISTANT)}
        names = {cell_text(r.values.get("name")) for r in rows} - {""}
        self.existing_names = set(Customer.objects.filter(name__in=names).values_list("name", flat=True))
        self.seen_names: dict[str, int] = {}

    def check(self, row: RowCheck) -> dict[str, Any]:
        series = row.require("series", row.value("series", cell_choice, self.series))
        fields: dict[str, Any] = {f: row.value(f) for f in TEXT_FIELDS}
        fields["name"] = self._name(row)
        fields["salesperson"] = self._person(row, "salesperson", Role.SALESPERSON)
        fields["assistant"] = self._person(row, "assistant", Role.ASSISTANT)
        fields["credit_days"] = row.value("credit_days", cell_int) or 0
        fields["invoice_required"] = bool(row.value("invoice_required", cell_bool))
        fields["invoice_day"] = self._invoice_day(row)
        fields["rebate"] = bool(row.value("rebate", cell_bool))
        fields["settlement"] = row.value("settlement", cell_choice, self.settlements) or ""
        fields["receipt_seal"] = row.value("receipt_seal", cell_choice, self.seals) or ""
        customer = Customer(series=series or "", created_by=self.user, **fields)
        try:
            # The people were just looked up and the table's checks are covered above, so skip
            # the query per foreign key and per constraint; the service validates it all again.
            customer.full_clean(exclude=[*LOOKED_UP, *row.failed_fields], validate_constraints=False)
        except ValidationError as exc:
            row.add_error(exc)
        contacts = self._contacts(row)
        return {"series": series, "fields": fields, "contacts": contacts}

    def write(self, data: dict[str, Any]) -> None:
        services.customer_create(
            by=self.user, series=data["series"], contacts=data["contacts"], **data["fields"]
        )

    def _name(self, row: RowCheck) -> str:
        name = row.require("name", row.value("name"))
        if name in self.existing_names:
            row.add("name", _("a customer with this name already exists"))
        elif name in self.seen_names:
            row.add("name", _("the same name is on row %(n)s") % {"n": self.seen_names[name]})
        elif name:
            self.seen_names[name] = row.row.number
        return name or ""

    def _invoice_day(self, row: RowCheck) -> int | None:
        day = row.value("invoice_day", cell_int)
        if day is not None and not 1 <= day <= 31:
            row.add("invoice_day", _("must be a day of the month, 1 to 31"))
            return None
        return day

    def _person(self, row: RowCheck, field: str, role: Role):
        wanted = row.value(field)
        if not wanted:
            return None
        by_username, by_name = self.people[role]
        matches = [by_username[wanted]] if wanted in by_username else by_name.get(wanted, [])
        if len(matches) > 1:
            row.add(field, _("several people are called %(n)s; write the username") % {"n": wanted})
            return None
        if not matches:
            unknown = (
                _("no salesperson called %(n)s")
                if role == Role.SALESPERSON
                else _("no sales assistant called %(n)s")
            )
            row.add(field, unknown % {"n": wanted})
            return None
        return matches[0]

    def _contacts(self, row: RowCheck) -> list[dict[str, str]]:
        contact = {k: row.value(f"contact_{k}") or "" for k in ("name", "phone", "role")}
        if not any(contact.values()):
            return []
        try:
            Contact(**contact).full_clean(exclude=["customer"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    row.add(f"contact_{name}", message)
        return [contact]


def _people(role: Role) -> tuple[dict[str, User], dict[str, list[User]]]:
    """Users of a role by username, and by the names colleagues call them."""
    users = list(users_with_role(role).select_related("profile"))
    by_name: dict[str, list[User]] = defaultdict(list)
    for user in users:
        profile = getattr(user, "profile", None)
        for name in {user.first_name, profile.display_name if profile else ""} - {""}:
            by_name[name].append(user)
    return {user.username: user for user in users}, by_name


def export_columns(*, with_money: bool) -> list[Column]:
    return [CODE_COLUMN, *(c for c in COLUMNS if with_money or c.field not in MONEY_FIELDS)]


def export_rows(customers: QuerySet[Customer], columns: list[Column]) -> Iterator[list[Any]]:
    """One row per customer in `columns` order; the first contact fills the contact columns."""
    labels = {
        "series": {k: v[0] for k, v in SERIES_WORDS.items()},
        "settlement": {k: v[0] for k, v in SETTLEMENT_WORDS.items()},
        "receipt_seal": {k: v[0] for k, v in SEAL_WORDS.items()},
    }
    for customer in customers.prefetch_related("contacts").iterator(chunk_size=500):
        contact = next(iter(customer.contacts.all()), None)
        values = {
            **{f: getattr(customer, f) for f in ["code", "name", *TEXT_FIELDS, "credit_days", "invoice_day"]},
            **{f: labels[f].get(getattr(customer, f), "") for f in labels},
            "salesperson": name_of(customer.salesperson),
            "assistant": name_of(customer.assistant),
            "invoice_required": "是" if customer.invoice_required else "否",
            "rebate": "是" if customer.rebate else "否",
            "contact_name": contact.name if contact else "",
            "contact_phone": contact.phone if contact else "",
            "contact_role": contact.role if contact else "",
        }
        yield [values[c.field] for c in columns]
