"""make bench's report (bench/api.py): which ratios are held to the issue's goals, and the
capacity note's mix."""

import pytest

from bench import api

SCENARIOS = [
    "bare-role-list",
    "bare-role-detail",
    "bare-path-detail",
    "pk-query",
    "role-list",
    "role-detail",
    "role-compare",
    "path-detail",
    "plan-list",
    "plan-detail",
    "plan-list-render",
    "plan-detail-render",
    "plan-create",
    "milestone-complete",
]
BASELINES = {
    name: f"bare-{name}" if name.startswith(("role-", "path-")) else "pk-query"
    for name in SCENARIOS
}


def results(**rates: float) -> dict:
    """Every scenario at 100 req/s but those given (names with _ for -)."""
    given = {name.replace("_", "-"): rps for name, rps in rates.items()}
    return {
        name: {
            "rps": given.get(name, 100.0),
            "rounds": [],
            "p50": 1.0,
            "p99": 2.0,
            "errors": 0,
            "rss": {},
        }
        for name in SCENARIOS
    }


def test_the_plan_reads_are_held_to_their_goals_stored_and_reported_rendered_anew():
    rows = api.ratio_rows(
        results(pk_query=1000, plan_detail=450, plan_detail_render=300, plan_list=480),
        BASELINES,
    )

    held = {name: (ratio, goal) for name, _base, ratio, goal, is_held in rows if is_held}
    reported = {name: (ratio, goal) for name, _base, ratio, goal, is_held in rows if not is_held}
    assert held["plan-detail"] == (pytest.approx(0.45), 0.4)
    assert held["plan-list"] == (pytest.approx(0.48), 0.5)
    assert reported == {
        "plan-detail-render": (pytest.approx(0.3), 0.4),
        "plan-list-render": (pytest.approx(0.1), 0.5),
    }
    order = [name for name, *_ in rows]
    assert order.index("plan-detail-render") == order.index("plan-detail") + 1
    assert order.index("plan-list-render") == order.index("plan-list") + 1


def test_the_report_marks_a_held_miss_and_only_reports_a_read_rendered_anew():
    labels = {name: name for name in SCENARIOS}
    report = api.report_config(
        api.CONFIGS[0],
        results(pk_query=1000, plan_detail=450, plan_detail_render=300, plan_list=480),
        labels,
        BASELINES,
    )

    assert "| plan-detail / pk-query | 0.45x | >= 0.4x | met |" in report
    assert "| plan-list / pk-query | 0.48x | >= 0.5x | **missed** |" in report
    assert (
        "| plan-detail-render / pk-query | 0.30x | reported beside the plan read's 0.4x "
        "| below it |" in report
    )


def test_the_mix_counts_the_plan_reads_that_writes_make_render():
    mix = api.USAGE_MIX
    assert sum(mix.values()) == pytest.approx(1.0)
    writes = mix["plan-create"] + mix["milestone-complete"]
    assert mix["plan-detail-render"] == pytest.approx(writes)
    assert mix["plan-list-render"] == pytest.approx(
        (mix["plan-list"] + mix["plan-list-render"]) / 3
    )
    # a slower read that renders lowers the mix's rate
    assert api.mix_rate(results(plan_detail_render=50)) < api.mix_rate(results())
