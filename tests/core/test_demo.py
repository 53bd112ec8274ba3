"""`salesdesk demo` fills an empty database with a demo company, and leaves a full one alone."""

import pytest
from django.contrib.auth.models import User

from salesdesk.catalog.models import Carrier, CustomerPrice, Product, RebatePrice
from salesdesk.cli import main
from salesdesk.core.roles import Role, role_of
from salesdesk.customers.models import Customer
from salesdesk.customers.selectors import customer_missing_fields

pytestmark = pytest.mark.django_db(transaction=True)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Customer, Product, CustomerPrice, RebatePrice, Carrier)
    }


def test_the_demo_fills_an_empty_database(capsys):
    # when
    main(["demo"])

    # then customers of all three series, all complete but the one new customer
    assert set(Customer.objects.values_list("series", flat=True)) == {"GS", "YW", "KD"}
    incomplete = [c.name for c in Customer.objects.all() if customer_missing_fields(c)]
    assert incomplete == ["江门市蓬江区新客户五金店"]
    # products with prices, rebate prices for the rebate customers, the four carriers
    assert Product.objects.count() >= 5
    assert Product.objects.filter(is_new=True).exists()
    priced = set(CustomerPrice.objects.values_list("customer__name", flat=True))
    assert priced == set(
        Customer.objects.exclude(name="江门市蓬江区新客户五金店").values_list("name", flat=True)
    )
    assert set(RebatePrice.objects.values_list("customer__rebate", flat=True)) == {True}
    assert RebatePrice.objects.exists()
    assert set(Carrier.objects.values_list("name", flat=True)) == {"联昊通", "源伟丰", "平安达", "申通"}
    # one user per role at least, and the logins printed
    assert {role_of(u) for u in User.objects.all()} == set(Role)
    printed = capsys.readouterr().out
    assert all(u.username in printed for u in User.objects.all())


def test_a_credit_customer_of_the_demo_has_an_approved_application():
    main(["demo"])
    credit = Customer.objects.filter(credit_days__gt=0).exclude(name="江门市蓬江区新客户五金店")
    assert credit.exists()
    for customer in credit:
        assert customer.credit_applications.filter(status="approved").exists()


def test_running_the_demo_again_changes_nothing(capsys):
    # given a loaded demo
    main(["demo"])
    before = counts()
    capsys.readouterr()

    # when run again
    main(["demo"])

    # then nothing was added, and it says why
    assert counts() == before
    assert "already has data" in capsys.readouterr().out


def test_the_demo_does_not_touch_a_database_that_has_users(capsys):
    User.objects.create_user("boss", password="a-long-test-password-1")
    main(["demo"])
    assert counts()["Customer"] == 0
    assert counts()["User"] == 1


def test_the_demo_logins_work(client):
    from salesdesk.demo import DEMO_PASSWORD

    main(["demo"])
    response = client.post("/login/", {"username": "assistant", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_the_demo_has_two_months_of_money_history():
    from salesdesk.receivables import selectors
    from salesdesk.receivables.models import Invoice, Receipt, ReceiptSlip, Statement
    from salesdesk.warehouse.models import Outbound, Shipment

    main(["demo"])

    kinds = set(Outbound.objects.filter(status="posted").values_list("kind", flat=True))
    assert kinds == {"sale", "return"}
    assert Outbound.objects.filter(kind="bad_debt", status="draft").exists()  # for the manager to approve
    assert Receipt.objects.count() == 3 and ReceiptSlip.objects.count() == 1
    assert Invoice.objects.filter(mailed_on__isnull=False).exists()
    assert Statement.objects.filter(status="sent").exists()
    assert Shipment.objects.filter(cod_amount__gt=0, receipt__isnull=True).exists()  # COD still out
    overdue = {c.code: selectors.overdue_amount(c) for c in Customer.objects.all()}
    assert overdue["GS00002"] > 0 and overdue["GS00001"] == 0
    for customer in Customer.objects.all():
        ar = selectors.customer_ar(customer)
        assert ar.open_total - ar.unapplied == ar.balance


def test_the_demo_has_a_paid_commission_statement_and_commission_still_waiting():
    from salesdesk.commissions.models import CommissionAccrual, CommissionStatement
    from salesdesk.commissions.selectors import with_states

    main(["demo"])

    assert CommissionStatement.objects.filter(status="paid", confirmed_at__isnull=True).exists()
    states = {a.state for a in with_states(CommissionAccrual.objects.all())}
    assert {"paid", "waiting"} <= states
