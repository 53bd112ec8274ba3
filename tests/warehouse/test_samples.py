"""样品发放记录: a sample is requested for a customer, sent to the factory, dispatched by
courier and followed until delivered; each step keeps its date and only the right people
move it. Pages show the steps, keep to the user's customers and turn bad input into form errors.
"""

# The order fixtures are shared with tests/orders, imported by name: pytest passes them in.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesdesk.core.errors import DomainError, FieldErrors, NotAllowed
from salesdesk.core.models import AuditEvent, StatusChange
from salesdesk.core.workflow import InvalidTransition
from salesdesk.warehouse import services_samples as services
from salesdesk.warehouse.models import SampleDispatch, SampleLine, SampleStatus
from salesdesk.warehouse.selectors_samples import SampleFilter, sample_list
from tests.conftest import client_for
from tests.factories import CarrierFactory, ProductFactory, make_customer
from tests.orders.conftest import carrier, customer, other_product, product  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def lines_of(*pairs) -> list[services.SampleLineInput]:
    return [services.SampleLineInput(product=p, quantity=Decimal(q)) for p, q in pairs]


@pytest.fixture
def others_customer(other_assistant, other_salesperson):
    return make_customer(
        by=other_assistant, name="中山彩虹装饰", assistant=other_assistant, salesperson=other_salesperson
    )


@pytest.fixture
def sample(customer, assistant, product, other_product):
    return services.sample_request(
        customer=customer,
        by=assistant,
        lines=lines_of((product, "2"), (other_product, "0.5")),
        note="红色色卡一并寄",
    )


@pytest.fixture
def others_sample(others_customer, other_assistant, product):
    return services.sample_request(
        customer=others_customer, by=other_assistant, lines=lines_of((product, "1"))
    )


def dispatched(sample, by, carrier):
    services.sample_send_to_factory(sample=sample, by=by)
    return services.sample_dispatch(sample=sample, by=by, carrier=carrier, tracking_number="LHT2026001")


# --- Services -------------------------------------------------------------------------------


def test_a_sample_is_requested_with_its_lines_today_by_the_user_who_fills_it_in(sample, assistant, customer):
    assert (sample.status, sample.requested_on, sample.requested_by, sample.customer) == (
        SampleStatus.REQUESTED,
        TODAY(),
        assistant,
        customer,
    )
    assert [(line.product.model_code, line.quantity) for line in sample.lines.order_by("id")] == [
        ("A-101", Decimal("2.000")),
        ("B-220", Decimal("0.500")),
    ]
    assert sample.note == "红色色卡一并寄"
    assert AuditEvent.objects.filter(action="sample.requested", object_id=str(sample.pk)).exists()


def test_the_requester_defaults_to_the_customers_salesperson_when_the_warehouse_fills_it_in(
    customer, warehouse, salesperson, product
):
    sample = services.sample_request(customer=customer, by=warehouse, lines=lines_of((product, "1")))

    assert sample.requested_by == salesperson and sample.created_by == warehouse


def test_the_named_requester_must_be_a_salesperson_or_an_assistant(customer, assistant, warehouse, product):
    with pytest.raises(DomainError) as error:
        services.sample_request(
            customer=customer, by=assistant, lines=lines_of((product, "1")), requested_by=warehouse
        )

    assert error.value.field == "requested_by"
    assert not SampleDispatch.objects.exists()


def test_a_sample_goes_to_the_factory_then_the_courier_then_the_customer(
    sample, assistant, warehouse, carrier
):
    services.sample_send_to_factory(sample=sample, by=assistant)
    services.sample_dispatch(sample=sample, by=warehouse, carrier=carrier, tracking_number=" LHT2026001 ")
    services.sample_delivered(sample=sample, by=assistant)

    sample.refresh_from_db()
    assert sample.status == SampleStatus.DELIVERED
    assert (sample.sent_to_factory_on, sample.dispatched_on, sample.delivered_on) == (
        TODAY(),
        TODAY(),
        TODAY(),
    )
    assert (sample.carrier, sample.tracking_number) == (carrier, "LHT2026001")
    changes = StatusChange.objects.filter(object_type="warehouse.sampledispatch", object_id=str(sample.pk))
    assert [(c.from_status, c.to_status) for c in changes.order_by("id")] == [
        ("requested", "sent_to_factory"),
        ("sent_to_factory", "dispatched"),
        ("dispatched", "delivered"),
    ]


def test_step_dates_may_be_given_but_not_in_the_future_nor_before_the_previous_step(
    sample, assistant, carrier
):
    SampleDispatch.objects.filter(pk=sample.pk).update(requested_on=TODAY() - dt.timedelta(days=5))
    services.sample_send_to_factory(
        sample=sample, by=assistant, sent_to_factory_on=TODAY() - dt.timedelta(days=3)
    )

    with pytest.raises(DomainError) as future:
        services.sample_dispatch(
            sample=sample,
            by=assistant,
            carrier=carrier,
            tracking_number="X1",
            dispatched_on=TODAY() + dt.timedelta(days=1),
        )
    with pytest.raises(DomainError) as before:
        services.sample_dispatch(
            sample=sample,
            by=assistant,
            carrier=carrier,
            tracking_number="X1",
            dispatched_on=TODAY() - dt.timedelta(days=4),
        )

    assert future.value.field == before.value.field == "dispatched_on"
    sample.refresh_from_db()
    assert sample.status == SampleStatus.SENT_TO_FACTORY and sample.dispatched_on is None


def test_dispatch_needs_an_active_carrier_and_a_tracking_number(sample, assistant, carrier):
    suspended = CarrierFactory(name="源伟丰", status="suspended", suspended_reason="回单逾期")
    services.sample_send_to_factory(sample=sample, by=assistant)

    with pytest.raises(FieldErrors) as on_suspended:
        services.sample_dispatch(sample=sample, by=assistant, carrier=suspended, tracking_number="Y1")
    with pytest.raises(FieldErrors) as without_tracking:
        services.sample_dispatch(sample=sample, by=assistant, carrier=carrier, tracking_number="   ")
    with pytest.raises(FieldErrors) as without_carrier:
        services.sample_dispatch(sample=sample, by=assistant, carrier=None, tracking_number="Y1")

    assert set(on_suspended.value.errors) == {"carrier"}
    assert set(without_tracking.value.errors) == {"tracking_number"}
    assert set(without_carrier.value.errors) == {"carrier"}
    sample.refresh_from_db()
    assert (sample.status, sample.carrier_id, sample.tracking_number) == (
        SampleStatus.SENT_TO_FACTORY,
        None,
        "",
    )


def test_steps_keep_their_order(sample, assistant, carrier):
    with pytest.raises(InvalidTransition):
        services.sample_delivered(sample=sample, by=assistant)
    with pytest.raises(InvalidTransition):
        services.sample_dispatch(sample=sample, by=assistant, carrier=carrier, tracking_number="Z1")
    services.sample_send_to_factory(sample=sample, by=assistant)
    with pytest.raises(InvalidTransition):
        services.sample_send_to_factory(sample=sample, by=assistant)

    sample.refresh_from_db()
    assert sample.status == SampleStatus.SENT_TO_FACTORY


@pytest.mark.parametrize("sent_first", [False, True])
def test_a_sample_is_cancelled_with_a_reason_before_it_leaves(sample, assistant, sent_first):
    if sent_first:
        services.sample_send_to_factory(sample=sample, by=assistant)
    with pytest.raises(DomainError) as no_reason:
        services.sample_cancel(sample=sample, by=assistant, reason="  ")

    services.sample_cancel(sample=sample, by=assistant, reason="客户已从别处拿到")

    assert no_reason.value.field == "reason"
    sample.refresh_from_db()
    assert (sample.status, sample.cancel_reason) == (SampleStatus.CANCELLED, "客户已从别处拿到")


def test_a_dispatched_sample_can_no_longer_be_cancelled(sample, assistant, carrier):
    dispatched(sample, assistant, carrier)

    with pytest.raises(InvalidTransition):
        services.sample_cancel(sample=sample, by=assistant, reason="太迟了")

    sample.refresh_from_db()
    assert sample.status == SampleStatus.DISPATCHED and sample.cancel_reason == ""


@pytest.mark.parametrize("persona", ["salesperson", "finance"])
def test_salespeople_and_finance_do_not_move_the_steps(request, sample, persona, carrier):
    user = request.getfixturevalue(persona)

    with pytest.raises(NotAllowed):
        services.sample_send_to_factory(sample=sample, by=user)

    sample.refresh_from_db()
    assert sample.status == SampleStatus.REQUESTED


def test_the_salesperson_who_asked_for_a_sample_may_withdraw_it(customer, salesperson, finance, product):
    sample = services.sample_request(customer=customer, by=salesperson, lines=lines_of((product, "1")))

    with pytest.raises(NotAllowed):
        services.sample_cancel(sample=sample, by=finance, reason="不要了")
    services.sample_cancel(sample=sample, by=salesperson, reason="客户改主意")

    sample.refresh_from_db()
    assert sample.status == SampleStatus.CANCELLED


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([("A-101", "1"), ("A-101", "2")], "lines[1].product"),
        ([("A-101", "0")], "lines[0].quantity"),
        ([("A-101", "-1")], "lines[0].quantity"),
        ([("A-101", "1.0001")], "lines[0].quantity"),
        ([("A-101", "1e12")], "lines[0].quantity"),
        ([("OLD-1", "1")], "lines[0].product"),
    ],
)
def test_bad_lines_are_refused_on_their_field_and_nothing_is_written(
    customer, assistant, product, lines, field
):
    ProductFactory(model_code="OLD-1", active=False)
    from salesdesk.catalog.models import Product

    items = [services.SampleLineInput(Product.objects.get(model_code=c), Decimal(q)) for c, q in lines]

    with pytest.raises(DomainError) as error:
        services.sample_request(customer=customer, by=assistant, lines=items)

    fields = set(error.value.errors) if isinstance(error.value, FieldErrors) else {error.value.field}
    assert field in fields
    assert not SampleDispatch.objects.exists() and not SampleLine.objects.exists()


def test_a_closed_customer_or_one_outside_the_users_scope_gets_no_sample(
    customer, others_customer, assistant, product
):
    with pytest.raises(DomainError) as outside:
        services.sample_request(customer=others_customer, by=assistant, lines=lines_of((product, "1")))
    customer.status = "closed"
    customer.save()
    with pytest.raises(DomainError) as closed:
        services.sample_request(customer=customer, by=assistant, lines=lines_of((product, "1")))

    assert outside.value.field == closed.value.field == "customer"
    assert not SampleDispatch.objects.exists()


def test_the_database_refuses_a_dispatched_sample_without_a_tracking_number(sample):
    with pytest.raises(IntegrityError), transaction.atomic():
        SampleDispatch.objects.filter(pk=sample.pk).update(
            status=SampleStatus.DISPATCHED, sent_to_factory_on=TODAY(), dispatched_on=TODAY()
        )


def test_the_database_refuses_a_delivery_before_the_dispatch(sample, assistant, carrier):
    dispatched(sample, assistant, carrier)

    with pytest.raises(IntegrityError), transaction.atomic():
        SampleDispatch.objects.filter(pk=sample.pk).update(
            status=SampleStatus.DELIVERED, delivered_on=TODAY() - dt.timedelta(days=1)
        )


# --- Selectors ------------------------------------------------------------------------------


def test_the_list_puts_samples_on_their_way_first_and_keeps_to_the_users_customers(
    customer, others_sample, assistant, warehouse, carrier, product
):
    done = services.sample_request(customer=customer, by=assistant, lines=lines_of((product, "1")))
    dispatched(done, assistant, carrier)
    services.sample_delivered(sample=done, by=assistant)
    waiting = services.sample_request(customer=customer, by=assistant, lines=lines_of((product, "3")))

    mine = list(sample_list(user=assistant))
    everyone = list(sample_list(user=warehouse))
    open_only = list(sample_list(user=warehouse, filters=SampleFilter(status="open")))
    by_tracking = list(sample_list(user=assistant, filters=SampleFilter(q="lht2026")))

    assert mine == [waiting, done]
    assert set(everyone) == {waiting, done, others_sample} and everyone[-1] == done
    assert set(open_only) == {waiting, others_sample}
    assert by_tracking == [done]


# --- Pages ----------------------------------------------------------------------------------


def request_form(customer_code: str, lines, **fields) -> dict:
    data = {
        "customer": customer_code,
        "requested_by": "",
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "50",
        **fields,
    }
    for i, (code, quantity) in enumerate(lines):
        data.update({f"lines-{i}-product": code, f"lines-{i}-quantity": quantity})
    return data


def test_a_sample_requested_on_the_page_opens_its_detail(customer, salesperson, product, other_product):
    client = client_for(salesperson)

    response = client.post(
        "/warehouse/samples/new/",
        request_form(customer.code.lower(), [("a-101", "2"), ("B-220 外墙乳胶漆", "1.5")], note="急"),
    )

    sample = SampleDispatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/warehouse/samples/{sample.pk}/"
    assert (sample.requested_by, sample.note) == (salesperson, "急")
    page = client.get(response["Location"]).content.decode()
    assert sample.reference in page and "A-101" in page and "1.5" in page
    assert 'data-testid="sample-send"' not in page  # a salesperson does not move the steps


def test_the_warehouse_moves_a_sample_through_its_steps_on_the_detail_page(sample, warehouse, carrier):
    client = client_for(warehouse)
    base = f"/warehouse/samples/{sample.pk}"

    page = client.get(f"{base}/").content.decode()
    sent = client.post(f"{base}/send/", {"sent_to_factory_on": ""})
    gone = client.post(
        f"{base}/dispatch/", {"carrier": carrier.pk, "tracking_number": "LHT-88", "dispatched_on": ""}
    )
    there = client.post(f"{base}/deliver/", {"delivered_on": TODAY().isoformat()})

    assert 'data-testid="sample-send"' in page and 'data-testid="sample-cancel"' in page
    assert [r.status_code for r in (sent, gone, there)] == [302, 302, 302]
    sample.refresh_from_db()
    assert (sample.status, sample.tracking_number) == (SampleStatus.DELIVERED, "LHT-88")
    final = client.get(f"{base}/").content.decode()
    assert "LHT-88" in final and 'data-testid="sample-deliver"' not in final


@pytest.mark.parametrize(
    ("step", "data", "field_text"),
    [
        ("send", {"sent_to_factory_on": "2026-02-30"}, "sent_to_factory_on"),
        ("send", {"sent_to_factory_on": "3026-01-01"}, "sent_to_factory_on"),
        ("dispatch", {"carrier": "abc", "tracking_number": "X"}, "carrier"),
        ("dispatch", {"carrier": str(2**70), "tracking_number": "X"}, "carrier"),
        ("dispatch", {"carrier": "", "tracking_number": "X" * 41}, "tracking_number"),
        ("dispatch", {"carrier": "", "tracking_number": "X\x00"}, "tracking_number"),
        ("deliver", {"delivered_on": "yesterday"}, "delivered_on"),
        ("cancel", {"reason": ""}, "reason"),
        ("cancel", {"reason": "x" * 201}, "reason"),
    ],
)
def test_a_bad_step_shows_the_field_on_the_detail_page_and_changes_nothing(
    sample, assistant, step, data, field_text
):
    response = client_for(assistant).post(f"/warehouse/samples/{sample.pk}/{step}/", data)

    assert response.status_code == 200
    assert response.context is not None
    forms = [response.context[k] for k in ("send_form", "dispatch_form", "delivered_form", "cancel_form")]
    assert any(field_text in form.errors for form in forms), [f.errors for f in forms]
    sample.refresh_from_db()
    assert sample.status == SampleStatus.REQUESTED


def test_a_step_the_sample_is_past_is_refused_above_the_steps(sample, assistant):
    services.sample_cancel(sample=sample, by=assistant, reason="不要了")

    response = client_for(assistant).post(f"/warehouse/samples/{sample.pk}/send/", {})

    assert response.status_code == 200
    assert 'data-testid="step-refused"' in response.content.decode()
    sample.refresh_from_db()
    assert sample.status == SampleStatus.CANCELLED


def test_a_suspended_carrier_cannot_be_chosen_on_the_page(sample, assistant):
    suspended = CarrierFactory(name="源伟丰", status="suspended", suspended_reason="回单逾期")
    services.sample_send_to_factory(sample=sample, by=assistant)

    response = client_for(assistant).post(
        f"/warehouse/samples/{sample.pk}/dispatch/", {"carrier": suspended.pk, "tracking_number": "Y1"}
    )

    assert response.status_code == 200 and "carrier" in response.context["dispatch_form"].errors
    sample.refresh_from_db()
    assert sample.status == SampleStatus.SENT_TO_FACTORY


@pytest.mark.parametrize("persona", ["assistant", "salesperson"])
@pytest.mark.parametrize("suffix", ["", "send/", "dispatch/", "deliver/", "cancel/"])
def test_another_salespersons_sample_answers_404_or_403(request, others_sample, persona, suffix):
    client = client_for(request.getfixturevalue(persona))
    url = f"/warehouse/samples/{others_sample.pk}/{suffix}"

    response = client.get(url) if not suffix else client.post(url, {"reason": "x", "tracking_number": "x"})

    # A salesperson may not move steps at all (403 before the lookup); otherwise it does not exist.
    expected = 403 if persona == "salesperson" and suffix in {"send/", "dispatch/", "deliver/"} else 404
    assert response.status_code == expected
    others_sample.refresh_from_db()
    assert others_sample.status == SampleStatus.REQUESTED


def test_a_sample_number_that_cannot_exist_answers_404(assistant):
    assert client_for(assistant).get(f"/warehouse/samples/{2**70}/").status_code == 404


@pytest.mark.parametrize(
    ("fields", "lines", "error_on"),
    [
        ({}, [("A-101", "abc")], "quantity"),
        ({}, [("A-101", "-1")], "quantity"),
        ({}, [("A-101", "0")], "quantity"),
        ({}, [("A-101", "1e20")], "quantity"),
        ({}, [("A-101", "1.0001")], "quantity"),
        ({}, [("A-101", "NaN")], "quantity"),
        ({}, [("NOPE-1", "1")], "product"),
        ({}, [("A-101\x00", "1")], "product"),
        ({}, [("A-101", "1"), ("a-101", "2")], "__all__"),
        ({"customer": "GS99999"}, [("A-101", "1")], "customer"),
        ({"customer": "GS\x00"}, [("A-101", "1")], "customer"),
        ({"note": "备注\x00"}, [("A-101", "1")], "note"),
        ({"note": "x" * 501}, [("A-101", "1")], "note"),
        ({"requested_by": "abc"}, [("A-101", "1")], "requested_by"),
        ({"requested_by": str(2**70)}, [("A-101", "1")], "requested_by"),
        ({}, [], "lines"),
    ],
)
def test_hostile_input_on_the_request_form_is_shown_as_form_errors_and_nothing_is_written(
    customer, assistant, product, fields, lines, error_on
):
    data = request_form(customer.code, lines, **fields)

    response = client_for(assistant).post("/warehouse/samples/new/", data)

    assert response.status_code == 200
    form, formset = response.context["form"], response.context["lines"]
    line_errors = {k for errors in formset.errors for k in errors}
    if error_on == "lines":
        assert formset.non_form_errors()
    elif error_on in {"quantity", "product"}:
        assert error_on in line_errors, formset.errors
    else:
        assert error_on in form.errors, form.errors
    assert not SampleDispatch.objects.exists() and not SampleLine.objects.exists()


def test_another_salespersons_customer_is_refused_on_the_request_form(others_customer, assistant, product):
    response = client_for(assistant).post(
        "/warehouse/samples/new/", request_form(others_customer.code, [("A-101", "1")])
    )

    assert response.status_code == 200 and "customer" in response.context["form"].errors
    assert not SampleDispatch.objects.exists()


@pytest.mark.parametrize(
    "tampered",
    [
        {"lines-TOTAL_FORMS": "100000"},
        {"lines-TOTAL_FORMS": "abc"},
        {"lines-TOTAL_FORMS": ""},
        {"lines-TOTAL_FORMS": None, "lines-INITIAL_FORMS": None},
    ],
)
def test_a_tampered_line_count_is_a_form_error_not_a_crash(customer, assistant, product, tampered):
    data = {**request_form(customer.code, [("A-101", "1")]), **tampered}
    data = {k: v for k, v in data.items() if v is not None}

    response = client_for(assistant).post("/warehouse/samples/new/", data)

    assert response.status_code == 200
    assert not SampleDispatch.objects.exists()


def test_the_list_filters_and_pages_and_keeps_to_the_users_customers(
    sample, others_sample, assistant, warehouse
):
    mine = client_for(assistant).get("/warehouse/samples/").content.decode()
    all_of_them = client_for(warehouse).get("/warehouse/samples/", {"status": "open"}).content.decode()
    none = client_for(warehouse).get("/warehouse/samples/", {"status": "delivered"}).content.decode()
    bad = client_for(warehouse).get("/warehouse/samples/", {"status": "bogus", "date_from": "2026-02-30"})

    assert f'data-sample="{sample.pk}"' in mine and f'data-sample="{others_sample.pk}"' not in mine
    assert f'data-sample="{sample.pk}"' in all_of_them and f'data-sample="{others_sample.pk}"' in all_of_them
    assert "data-sample=" not in none
    assert bad.status_code == 200


def test_the_list_makes_the_same_number_of_queries_for_3_or_30_samples(
    customer, assistant, warehouse, carrier, product, other_product
):
    client = client_for(warehouse)

    def add(n: int) -> None:
        for i in range(n):
            sample = services.sample_request(
                customer=customer, by=assistant, lines=lines_of((product, "1"), (other_product, "2"))
            )
            if i % 2:
                dispatched(sample, assistant, carrier)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/warehouse/samples/").status_code == 200
        return len(queries)

    add(3)
    few = count()
    add(27)
    assert count() == few


def test_sample_pages_carry_no_inline_script_or_style(sample, assistant):
    client = client_for(assistant)

    for url in ("/warehouse/samples/", "/warehouse/samples/new/", f"/warehouse/samples/{sample.pk}/"):
        html = client.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and " onclick=" not in html, url


@pytest.mark.django_db(transaction=True)
def test_two_clerks_dispatching_the_same_sample_at_once_record_one_dispatch(
    sample, assistant, warehouse, carrier
):
    from tests.core.test_concurrency import race

    services.sample_send_to_factory(sample=sample, by=assistant)
    clerks = [assistant, warehouse]

    def dispatch(i: int):
        fresh = SampleDispatch.objects.get(pk=sample.pk)  # each clerk has the sample from their own page
        return services.sample_dispatch(sample=fresh, by=clerks[i], carrier=carrier, tracking_number=f"T-{i}")

    results = race(dispatch, threads=2)

    assert sorted(type(r).__name__ for r in results) == ["InvalidTransition", "SampleDispatch"]
    changes = StatusChange.objects.filter(object_type="warehouse.sampledispatch", to_status="dispatched")
    assert changes.count() == 1
