"""Teardowns that wait without working, moved out of the tests' way."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait


class Teardowns:
    """Teardowns that take time without doing work (a uvicorn server polls for its stop
    every 0.1 s, then gives its connections 0.1 s more: 14 s over test_slack.py), run on
    threads of their own while the next tests run."""

    def __init__(self) -> None:
        self._threads = ThreadPoolExecutor(16, thread_name_prefix="teardowns")
        self._started: list[Future[object]] = []

    def add(self, teardown: Callable[[], object], *, after_the_others: bool = False) -> None:
        """Run `teardown`; `after_the_others`: once every teardown added before it is done
        (the fake Slack closes after the servers that call it)."""
        earlier = list(self._started) if after_the_others else []

        def run() -> object:
            # No deadlock: the earlier ones were taken by the threads first.
            wait(earlier)
            return teardown()

        self._started.append(self._threads.submit(run))

    def finish(self) -> None:
        """Wait for every teardown; the first that failed raises here."""
        self._threads.shutdown(wait=True)
        for started in self._started:
            started.result()
