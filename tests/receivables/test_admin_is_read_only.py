"""The admin is no way around the rules: nothing posted, allocated, paid out or written off can be
added, changed, deleted or approved through it, not even by a superuser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from salesdesk.receivables.models import Allocation, Receipt
from salesdesk.receivables.services_credits import WriteOffInput, write_off_request
from salesdesk.warehouse.models import Outbound, OutboundStatus
from tests.conftest import client_for
from tests.receivables.conftest import receive, sell

pytestmark = pytest.mark.django_db

# Users and groups are the only things the admin edits: that is what it is for.
EDITABLE = {"auth.User", "auth.Group"}


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", password="a-long-test-password-1")


@pytest.fixture
def books(debtor, product, assistant, finance, warehouse):
    """A posted sale, part paid by a receipt, and a write-off of the rest waiting for approval."""
    sale = sell(debtor, product, "5", by=assistant, warehouse=warehouse)
    receipt = receive(debtor, assistant, "1000", note="先付一部分")
    write_off = write_off_request(customer=debtor, by=finance, items=[WriteOffInput(sale)], reason="客户倒闭")
    return sale, receipt, write_off


def test_every_model_in_the_admin_but_users_and_groups_is_read_only_even_for_a_superuser(root):
    request = RequestFactory().get("/admin/")
    request.user = root
    editable = set()
    for model, model_admin in admin.site._registry.items():
        rights = [
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        ]
        rights += [
            right
            for inline in model_admin.get_inline_instances(request)
            for right in (
                inline.has_add_permission(request, None),
                inline.has_change_permission(request),
                inline.has_delete_permission(request),
            )
        ]
        if any(rights):
            editable.add(model._meta.label)
        assert "delete_selected" not in model_admin.get_actions(request) or model._meta.label in EDITABLE

    assert editable == EDITABLE


def test_a_pending_write_off_cannot_be_posted_or_deleted_in_the_admin(books, root):
    sale, _receipt, write_off = books
    client = client_for(root)
    change = reverse("admin:warehouse_outbound_change", args=[write_off.pk])

    assert client.get(change).status_code == 200  # to look at
    posted = client.post(change, {"status": OutboundStatus.POSTED, "agreed_by": root.pk})
    deleted = client.post(reverse("admin:warehouse_outbound_delete", args=[write_off.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:warehouse_outbound_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [write_off.pk, sale.pk], "post": "yes"},
    )

    assert posted.status_code == 403 and deleted.status_code == 403
    assert bulk.status_code in {200, 302}  # the admin answers "no action selected"
    write_off.refresh_from_db()
    assert write_off.status == OutboundStatus.DRAFT and write_off.agreed_by is None
    assert Outbound.objects.filter(pk__in=[write_off.pk, sale.pk]).count() == 2
    assert not Allocation.objects.filter(credit=write_off).exists()


def test_receipts_and_allocations_cannot_be_added_changed_or_deleted_in_the_admin(books, root):
    _sale, receipt, _write_off = books
    allocation = receipt.allocations.get()
    client = client_for(root)

    for name, obj, change in (
        ("receipt", receipt, {"amount": "1.00"}),
        ("allocation", allocation, {"amount": "1.00"}),
    ):
        assert client.get(reverse(f"admin:receivables_{name}_add")).status_code == 403
        assert client.post(reverse(f"admin:receivables_{name}_add"), change).status_code == 403
        assert (
            client.post(reverse(f"admin:receivables_{name}_change", args=[obj.pk]), change).status_code == 403
        )
        deleted = client.post(reverse(f"admin:receivables_{name}_delete", args=[obj.pk]), {"post": "yes"})
        assert deleted.status_code == 403

    assert Receipt.objects.get(pk=receipt.pk).amount == Decimal("1000.00")
    assert Allocation.objects.get(pk=allocation.pk).amount == Decimal("1000.00")


def test_write_off_items_and_commission_payouts_are_not_in_the_admin_at_all(root):
    client = client_for(root)
    for url in (
        "/admin/receivables/writeoffitem/",
        "/admin/commissions/commissionpayout/",
        "/admin/commissions/payoutitem/",
        "/admin/commissions/commissionstatement/",
        "/admin/commissions/commissionaccrual/",
    ):
        assert client.get(url).status_code == 404, url


def test_only_staff_reach_the_admin(books, finance, manager):
    # finance is no staff: the admin sends it to its own login page
    response = client_for(finance).get(reverse("admin:warehouse_outbound_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    # the manager is staff but, like everyone, may only look
    _sale, _receipt, write_off = books
    manager.is_staff = True
    manager.save()
    change = reverse("admin:warehouse_outbound_change", args=[write_off.pk])
    assert client_for(manager).post(change, {"status": OutboundStatus.POSTED}).status_code == 403
    write_off.refresh_from_db()
    assert write_off.status == OutboundStatus.DRAFT
