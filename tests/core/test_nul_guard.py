import pytest

from tests.conftest import client_for


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/orders/find/?q=A%00B", "/orders/?q=%00", "/customers/?q=x%00", "/calls/?q=%00"]
)
def test_a_nul_in_the_query_is_a_400_naming_the_query(assistant, url):
    response = client_for(assistant).get(url)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "q"
