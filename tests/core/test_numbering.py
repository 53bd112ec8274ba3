import pytest
from django.db import transaction

from salesdesk.core.models import Sequence
from salesdesk.core.numbering import next_value

pytestmark = pytest.mark.django_db


def test_numbers_count_up_from_one_without_gaps():
    with transaction.atomic():
        assert [next_value("register:2026") for _ in range(5)] == [1, 2, 3, 4, 5]


def test_each_series_has_its_own_numbers():
    with transaction.atomic():
        assert (next_value("a"), next_value("b"), next_value("a")) == (1, 1, 2)


def test_a_rolled_back_transaction_gives_its_number_back():
    # given a number taken in a transaction that then fails
    with transaction.atomic():
        next_value("invoice")

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        assert next_value("invoice") == 2
        raise Abandoned

    # then the next caller gets the same number again: no gap
    with transaction.atomic():
        assert next_value("invoice") == 2
    assert Sequence.objects.get(key="invoice").last_value == 2


def test_a_rolled_back_first_number_leaves_the_series_at_one():
    with pytest.raises(RuntimeError), transaction.atomic():
        next_value("fresh")
        raise RuntimeError("abandoned")
    with transaction.atomic():
        assert next_value("fresh") == 1


@pytest.mark.django_db(transaction=True)
def test_taking_a_number_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside a transaction"):
        next_value("loose")
    assert not Sequence.objects.filter(key="loose").exists()
