import pytest

from salesdesk.customers import services
from salesdesk.customers.selectors import customer_missing_fields


@pytest.mark.django_db
def test_customer_codes_follow_their_series(assistant):
    first = services.customer_create(by=assistant, series="GS", name="佛山美家")
    second = services.customer_create(by=assistant, series="GS", name="广州彩虹")
    agent = services.customer_create(by=assistant, series="KD", name="长沙星城")
    assert [first.code, second.code, agent.code] == ["GS00001", "GS00002", "KD00001"]


@pytest.mark.django_db
def test_customer_with_credit_days_and_no_approved_application_lists_it_as_missing(assistant):
    customer = services.customer_create(by=assistant, series="YW", name="江门新客户", credit_days=30)
    missing = {m.field for m in customer_missing_fields(customer)}
    assert "credit_application" in missing
    assert {"address", "contacts", "settlement"} <= missing
