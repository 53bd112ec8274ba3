"""What salesdesk's PostgreSQL connections are set up with."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own settings"),
]


def test_postgresql_compiles_no_query_to_machine_code():
    # A month-end sum estimated above jit_above_cost spent 100 ms of its 129 being compiled.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
