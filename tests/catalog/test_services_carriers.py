import pytest
from django.utils import timezone

from salesdesk.catalog import selectors, services
from salesdesk.catalog.models import CarrierStatus
from salesdesk.core.errors import Conflict, DomainError, NotAllowed
from salesdesk.core.models import AuditEvent
from tests.factories import CarrierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def carrier(db):
    return CarrierFactory(name="联昊通")


def test_the_manager_suspends_a_carrier_with_a_reason(carrier, manager):
    suspended = services.carrier_suspend(carrier=carrier, by=manager, reason=" 代收货款逾期未回 ")
    assert suspended.status == CarrierStatus.SUSPENDED
    assert suspended.suspended_reason == "代收货款逾期未回"
    assert suspended.suspended_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="carrier.suspended", by=manager).exists()
    assert suspended.history.order_by("-history_date").first().history_user == manager


def test_a_suspended_carrier_cannot_be_chosen(carrier, manager):
    other = CarrierFactory(name="申通")
    services.carrier_suspend(carrier=carrier, by=manager, reason="回单逾期")
    assert list(selectors.carriers_selectable()) == [other]


def test_a_reinstated_carrier_can_be_chosen_again(carrier, manager):
    services.carrier_suspend(carrier=carrier, by=manager, reason="回单逾期")
    reinstated = services.carrier_reinstate(carrier=carrier, by=manager, note="已补回")
    assert (reinstated.status, reinstated.suspended_reason, reinstated.suspended_on) == ("active", "", None)
    assert carrier in selectors.carriers_selectable()
    assert AuditEvent.objects.filter(action="carrier.reinstated", by=manager).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_suspending_needs_a_reason(carrier, manager, reason):
    with pytest.raises(DomainError) as refused:
        services.carrier_suspend(carrier=carrier, by=manager, reason=reason)
    assert refused.value.field == "reason"
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.ACTIVE


@pytest.mark.parametrize("who", ["assistant", "salesperson", "warehouse", "finance"])
def test_only_the_manager_suspends_or_reinstates(request, carrier, manager, who):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        services.carrier_suspend(carrier=carrier, by=user, reason="回单逾期")
    services.carrier_suspend(carrier=carrier, by=manager, reason="回单逾期")
    with pytest.raises(NotAllowed):
        services.carrier_reinstate(carrier=carrier, by=user)
    carrier.refresh_from_db()
    assert carrier.status == CarrierStatus.SUSPENDED


def test_suspending_twice_or_reinstating_an_active_carrier_is_a_conflict(carrier, manager):
    with pytest.raises(Conflict):
        services.carrier_reinstate(carrier=carrier, by=manager)
    services.carrier_suspend(carrier=carrier, by=manager, reason="回单逾期")
    with pytest.raises(Conflict):
        services.carrier_suspend(carrier=carrier, by=manager, reason="again")


def test_a_new_carrier_gets_a_seven_day_return_deadline(manager):
    carrier = services.carrier_create(by=manager, name="平安达", service_area="珠三角及省内快件")
    assert carrier.return_deadline_days == 7
    assert carrier.history.get().history_user == manager
