"""`salesdesk daily` writes each user's workbench items as this morning's reminders, once; the
workbench shows them above the live sections, and each is ticked off by its own user."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from salesdesk.calls import services as calls
from salesdesk.core.roles import role_of
from salesdesk.workbench.models import Reminder
from salesdesk.workbench.selectors import TASKS, workbench_items
from salesdesk.workbench.services import KEEP_DAYS
from tests.conftest import client_for
from tests.factories import make_customer
from tests.receivables.conftest import on_day
from tests.workbench.test_roles import (  # noqa: F401  (shared fixtures)
    another_customer,
    busy_day,
    carrier,
    customer,
    debtor,
    other_product,
    product,
    stocked,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def daily() -> int:
    out = StringIO()
    call_command("daily", stdout=out)
    text = out.getvalue().strip()
    assert text.startswith("salesdesk: reminders written: ")
    return int(text.removeprefix("salesdesk: reminders written: ").rstrip("."))


def tasks_of(user) -> list[tuple[str, str]]:
    return [(s.key, i.url) for s in workbench_items(user=user) if s.kind == TASKS for i in s.items]


@pytest.mark.django_db
def test_daily_writes_every_users_items_once_and_says_how_many(busy_day):  # noqa: F811
    # given each user's items now
    expected = {user: tasks_of(user) for user in User.objects.all() if role_of(user)}
    assert all(expected.values())  # every role has something to do on the busy day

    # when the morning run writes them
    written = daily()

    # then one reminder per item, for its own user, dated today
    assert written == sum(len(items) for items in expected.values()) == Reminder.objects.count()
    for user, items in expected.items():
        mine = Reminder.objects.filter(user=user, day=timezone.localdate())
        assert sorted(mine.values_list("section", "url")) == sorted(items)

    # and a second run the same day writes nothing more
    assert daily() == 0
    assert Reminder.objects.count() == written


@pytest.mark.django_db
def test_a_second_run_adds_only_what_is_new(busy_day, assistant):  # noqa: F811
    daily()
    calls.follow_up_raise(call=busy_day.call, by=assistant, question="蓝色色卡呢？", assigned_to=assistant)
    assert daily() == 2  # the assistant's follow-up, and the same one for the manager, who sees all
    assert Reminder.objects.filter(title="蓝色色卡呢？").count() == 2


@pytest.mark.django_db
def test_figures_and_users_without_a_role_get_no_reminders(busy_day, manager):  # noqa: F811
    nobody = User.objects.create_user("visitor", password="a-long-test-password-1")
    gone = User.objects.create_user("left", password="a-long-test-password-1", is_active=False)
    gone.groups.set(manager.groups.all())
    daily()
    assert not Reminder.objects.filter(section="day_at_a_glance").exists()
    assert not Reminder.objects.filter(user__in=[nobody, gone]).exists()
    assert Reminder.objects.filter(user=manager).exists()


@pytest.mark.django_db
def test_the_workbench_shows_what_the_morning_found_even_once_done_elsewhere(busy_day, assistant):  # noqa: F811
    daily()
    follow_up = busy_day.call.follow_ups.get()
    calls.follow_up_resolve(follow_up=follow_up, by=assistant, resolution="有，已寄出")

    page = client_for(assistant).get(reverse("workbench:home")).content.decode()

    block = page.split('data-section="reminders"')[1].split("data-section=")[0]
    assert "红色色卡还有吗？" in block  # as found this morning
    assert f'href="{reverse("calls:call-detail", args=[busy_day.call.pk])}"' in block
    live = page.split('data-section="follow_ups"')[1].split("data-section=")[0]
    assert "红色色卡还有吗？" not in live  # no longer to do now


@pytest.mark.django_db
def test_no_reminders_block_before_the_morning_run(busy_day, assistant):  # noqa: F811
    page = client_for(assistant).get(reverse("workbench:home")).content.decode()
    assert 'data-section="reminders"' not in page


@pytest.mark.django_db
def test_ticking_a_reminder_off_marks_it_done_for_its_user_only(busy_day, assistant, other_assistant):  # noqa: F811
    daily()
    reminder = Reminder.objects.filter(user=assistant).first()
    url = reverse("workbench:reminder-done", args=[reminder.pk])

    # someone else's reminder does not exist for them, and a GET changes nothing
    assert client_for(other_assistant).post(url).status_code == 404
    assert client_for(assistant).get(url).status_code == 405
    reminder.refresh_from_db()
    assert reminder.seen_at is None

    # its user ticks it off: back to the workbench, where it shows as done
    client = client_for(assistant)
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("workbench:home")
    reminder.refresh_from_db()
    assert reminder.seen_at is not None
    page = client.get(reverse("workbench:home")).content.decode()
    row = page.split(f'data-reminder="{reminder.pk}"')[1].split("</li>")[0]
    assert 'data-testid="reminder-done"' in row and "reminder-tick" not in row

    # ticking again keeps the first time
    first = reminder.seen_at
    client.post(url, headers={"HX-Request": "true"})
    reminder.refresh_from_db()
    assert reminder.seen_at == first


@pytest.mark.django_db
def test_an_htmx_tick_answers_with_the_row_alone(busy_day, assistant):  # noqa: F811
    daily()
    reminder = Reminder.objects.filter(user=assistant).first()
    response = client_for(assistant).post(
        reverse("workbench:reminder-done", args=[reminder.pk]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<li") and 'data-testid="reminder-done"' in body


@pytest.mark.django_db
def test_reminders_of_other_days_are_not_shown_and_old_ones_go(assistant):
    make_customer(by=assistant, address="")  # one incomplete customer: one item (mid-month: no month-end)
    with on_day(dt.date(2026, 3, 10)):
        assert daily() == 1
    with on_day(dt.date(2026, 3, 11)):
        assert daily() == 1  # the same item is a new reminder on a new day
        page = client_for(assistant).get(reverse("workbench:home")).content.decode()
    assert page.count("data-reminder=") == 1
    # kept for KEEP_DAYS, then deleted by the run of the day after
    first, second = dt.date(2026, 3, 10), dt.date(2026, 3, 11)
    edge = first + dt.timedelta(days=KEEP_DAYS)
    with on_day(edge):
        daily()
    assert sorted(Reminder.objects.values_list("day", flat=True)) == [first, second, edge]
    with on_day(edge + dt.timedelta(days=1)):
        daily()
    assert sorted(Reminder.objects.values_list("day", flat=True)) == [
        second,
        edge,
        edge + dt.timedelta(days=1),
    ]


# --- the demo --------------------------------------------------------------------------


# Every kind SPEC section 9 lists for assistants, as the demo's first assistant sees them.
DEMO_KINDS = [
    "orders_on_hold",
    "stock_shortfalls",
    "orders_to_release",
    "express_cutoff",
    "returns_due",
    "invoices_due",
    "statements",
    "receivables_due",
    "follow_ups",
    "receipts_for_finance",
    "month_end",
]


@pytest.mark.django_db(transaction=True)
def test_the_demo_assistant_has_an_item_of_each_kind_the_demo_can_produce(capsys):
    from salesdesk.cli import main

    monday = dt.date(2026, 3, 30)  # a working day in the month-end window
    with on_day(monday):
        main(["demo"])
        assistant = User.objects.get(username="assistant")
        at_ten = {s.key: s.items for s in workbench_items(user=assistant)}
        near_cutoff = dt.datetime.combine(monday, dt.time(11, 10), tzinfo=SHANGHAI)
        at_eleven = {s.key: s.items for s in workbench_items(user=assistant, now=near_cutoff)}
        capsys.readouterr()
        main(["daily"])
        first = capsys.readouterr().out
        main(["daily"])
        second = capsys.readouterr().out

    found = {key for key, items in at_ten.items() if items} | {k for k, items in at_eleven.items() if items}
    assert [kind for kind in DEMO_KINDS if kind not in found] == []
    # the morning run wrote them, and the second run nothing
    written = Reminder.objects.count()
    assert f"reminders written: {written}." in first and "reminders written: 0." in second
    morning = set(Reminder.objects.filter(user=assistant).values_list("section", flat=True))
    assert {kind for kind in DEMO_KINDS if kind != "express_cutoff"} <= morning
