"""The demo's clock: a queue of happenings in time order, cut at the moment of loading.

The demo tells a year and a bit of the product in use: last year from New Year's Day, the turn of
the year, this year up to now. Each happening is an action at a moment (naive UTC, as columns
store time) that calls the services with that moment as `now`/`today`; an action may plan more
happenings. Whatever is planned after `now` never happens, so a course someone planned to finish
next week is simply in progress, and the same plan gives the right states on any day.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from itertools import count

from app import clock

Action = Callable[[datetime], None]


class Timeline:
    """Happenings in time order up to `now`; `today` is the local date of `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now.replace(microsecond=0)
        self.today = clock.local_date(self.now)
        self.year = self.today.year
        self.last_year = self.year - 1
        self._queue: list[tuple[datetime, int, Action]] = []
        self._order = count()
        self.current = datetime.min

    def at(self, when: datetime, action: Action) -> bool:
        """Plan an action at a moment (UTC); return whether it will happen (not after now)."""
        if when > self.now:
            return False
        heapq.heappush(self._queue, (max(when, self.current), next(self._order), action))
        return True

    def run(self) -> None:
        """Carry out every planned happening in time order (including those planned meanwhile)."""
        while self._queue:
            when, _, action = heapq.heappop(self._queue)
            self.current = when
            action(when)

    def local(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        """The UTC moment of a local wall-clock time on a day."""
        return clock.to_utc(datetime.combine(day, time(hour, minute)))

    def local_time(self, moment: datetime) -> datetime:
        """The local wall-clock time of a UTC moment (as a form would give it)."""
        return clock.to_local(moment)

    def day_of(self, moment: datetime) -> date:
        return clock.local_date(moment)

    def rng(self, *key: object) -> random.Random:
        """A random source seeded by the day of loading and the key: the same day, the same demo."""
        return random.Random("/".join(map(str, (self.today.isoformat(), *key))))  # noqa: S311 - demo data

    def between(self, rng: random.Random, start: datetime, end: datetime) -> datetime:
        """A moment between two others (whole minutes)."""
        span = max(int((end - start).total_seconds() // 60), 0)
        return start + timedelta(minutes=rng.randint(0, span))

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)
