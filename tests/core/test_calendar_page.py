import datetime as dt

import pytest

from salesdesk.core.models import CalendarDay
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_manager_enters_a_holiday_and_a_worked_weekend(manager):
    client = client_for(manager)
    client.post("/settings/calendar/", {"date": "2026-10-01", "is_workday": "0", "name": "国庆节"})
    client.post("/settings/calendar/", {"date": "2026-10-10", "is_workday": "1", "name": "调休上班"})
    assert dict(CalendarDay.objects.values_list("date", "is_workday")) == {
        dt.date(2026, 10, 1): False,
        dt.date(2026, 10, 10): True,
    }
    day = CalendarDay.objects.get(date=dt.date(2026, 10, 1))
    client.post(f"/settings/calendar/{day.pk}/remove/")
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


def test_only_the_manager_keeps_the_calendar(assistant):
    assert (
        client_for(assistant)
        .post("/settings/calendar/", {"date": "2026-10-01", "is_workday": "0"})
        .status_code
        == 403
    )
    assert not CalendarDay.objects.exists()


def test_a_bad_date_is_a_form_error(manager):
    response = client_for(manager).post("/settings/calendar/", {"date": "2026-02-30", "is_workday": "0"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
