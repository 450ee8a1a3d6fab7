"""The one executor: the same results in job order whether jobs run inline or on worker processes."""

from __future__ import annotations

import os

import pytest

from sim.config.loading import parse_override
from sim.errors import ConfigError
from sim.study.executor import Executor, default_workers, local


def test_inline_and_pool_give_the_same_results_in_job_order() -> None:
    jobs = [(2, k) for k in range(9)]
    done: list[int] = []
    with Executor(1) as inline:
        expected = inline.map(pow, jobs)
    with Executor(2) as pool:
        assert pool.map(pow, jobs, done.append) == expected == [2**k for k in range(9)]
        workers = set(pool.map(os.getpid, [()] * 6))
        assert 1 <= len(workers) <= 2 and os.getpid() not in workers  # really other processes
    assert done == list(range(1, 10))


def test_a_user_error_in_a_worker_reaches_the_caller_and_ends_the_pool() -> None:
    executor = Executor(2)
    with pytest.raises(ConfigError, match="expected PATH=VALUE"), executor:
        executor.map(parse_override, [("a=1",), ("no equals sign",), ("b=2",)])
    assert executor._pool is None  # ended, not left running


def test_local_uses_the_callers_executor_or_one_per_core() -> None:
    mine = Executor(1)
    with local(mine, 8, 100) as runner:
        assert runner is mine
    with local(None, None, 1) as runner:
        assert runner.workers == 1 == default_workers(1)
    assert default_workers(10_000) == (os.cpu_count() or 1)
