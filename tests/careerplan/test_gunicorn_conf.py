"""gunicorn.conf.py: two sync workers per core unless WEB_CONCURRENCY says otherwise."""

import os
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def settings(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_WORKER_CLASS", "PORT", "BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_two_workers_per_core_by_default(monkeypatch):
    # given: a process allowed on 3 cores
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    # when / then
    assert settings(monkeypatch)["workers"] == 6


@pytest.mark.parametrize(("value", "workers"), [("3", 3), ("", 4)])
def test_web_concurrency_overrides_the_default_unless_empty(monkeypatch, value, workers):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert settings(monkeypatch, WEB_CONCURRENCY=value)["workers"] == workers


def test_the_count_of_cores_without_affinity(monkeypatch):
    # given: a system without sched_getaffinity (macOS)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    # when / then
    assert settings(monkeypatch)["workers"] == 16
