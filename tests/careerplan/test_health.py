import pytest
from django.db.utils import OperationalError

from careerplan import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_is_503_naming_the_broker_when_it_is_unreachable(client, settings):
    # given: a Redis broker URL where nothing listens
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1}
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["down"] == ["broker"]
    assert body["checks"]["database"] == "ok"


def test_readyz_is_503_naming_the_database_when_it_fails(client, monkeypatch):
    def database_down() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.READINESS_CHECKS, "database", database_down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]
