"""A task's round trip through a real worker on the configured broker (Redis in CI)."""

import os

import pytest
from celery.contrib.testing.worker import start_worker

from careerplan.celery import app
from careerplan.tasks import ping


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_a_real_worker():
    assert app.conf.task_always_eager is False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay("hello from the test")
        assert result.get(timeout=20) == "hello from the test"


def test_celery_is_configured_for_short_json_tasks():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def test_a_worker_process_registers_the_project_tasks():
    # a worker imports CELERY_IMPORTS and the apps' tasks modules; the ping task must be among them
    app.loader.import_default_modules()
    assert "careerplan.ping" in app.tasks


def test_tasks_go_to_this_test_process_s_own_queue():
    # under pytest-xdist each process has its queue (tests/settings.py), so the worker one test
    # starts never takes a task another process's test enqueued
    process = os.environ.get("PYTEST_XDIST_WORKER")
    if not process:
        pytest.skip("one test process: the default queue is its own")
    route = app.amqp.router.route({}, "careerplan.ping")
    assert route["queue"].name == f"tests-{process}"
    assert [queue.name for queue in app.amqp.queues.consume_from.values()] == [f"tests-{process}"]
