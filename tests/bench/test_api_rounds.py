"""make bench's rounds (bench/api.py): wrk's output read back, and rounds pooled."""

from bench import api


def wrk_output(requests: int, seconds: int, latency_ms, errors: int = 0) -> str:
    """What wrk prints for a round: its totals and the quantiles the scripts' done() adds."""
    lines = [
        f"  {requests} requests in {seconds}.00s, 1.00MB read",
        f"Requests/sec: {requests / seconds:.2f}",
        *(f"  Non-2xx or 3xx responses: {errors}" for _ in range(1 if errors else 0)),
        *(
            f"quantile {percent:g} {round(latency_ms(percent) * 1000)}"
            for percent, _share in api.QUANTILES
        ),
    ]
    return "\n".join(lines)


def test_a_single_round_pooled_gives_back_its_own_quantiles():
    # given: one round whose latency at percentile p is p / 10 ms
    round_ = api.parse_wrk(wrk_output(400, 1, lambda percent: percent / 10))
    # when
    pooled = api.pooled([round_])
    # then
    assert (pooled["p50"], pooled["p99"]) == (5.0, 9.9)
    assert (pooled["rps"], pooled["requests"], pooled["rounds"]) == (400, 400, [400])


def test_rounds_are_pooled_by_their_requests():
    # given: a fast round of 300 requests (all 1 ms) and a slow one of 100 (all 10 ms, 2 errors)
    fast = api.parse_wrk(wrk_output(300, 1, lambda _percent: 1.0))
    slow = api.parse_wrk(wrk_output(100, 1, lambda _percent: 10.0, errors=2))
    # when
    pooled = api.pooled([fast, slow])
    # then: three requests in four took 1 ms; the rate is all requests over both seconds
    assert (pooled["p50"], pooled["p99"]) == (1.0, 10.0)
    assert (pooled["rps"], pooled["errors"], pooled["rounds"]) == (200, 2, [300, 100])


def test_the_scripts_print_every_quantile_the_pooling_reads():
    # the done() of every scenario's script prints the quantiles, wrk's maximum for the 100th
    assert "latency.max" in api.LUA_DONE
    for percent, _share in api.QUANTILES:
        assert f"{percent:g}" in api.LUA_PERCENTS.split(", ")
    assert sum(share for _percent, share in api.QUANTILES) == 1000  # tenths of a percent
