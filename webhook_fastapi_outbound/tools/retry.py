# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Retry schedules ("5s, 5m, 30m, 2h"), jitter and Retry-After."""

import random
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# Svix's schedule: the waits after the 1st, 2nd... failed attempt (the first
# attempt is immediate); the last wait repeats if attempts are left.
DEFAULT_SCHEDULE = "5s, 5m, 30m, 2h, 5h, 10h, 10h"
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
JITTER = 0.1
# A Retry-After beyond this is not waited for longer.
MAX_RETRY_AFTER = 86400
_STEP = re.compile(r"^(\d+)\s*([smhd]?)$")


def parse_schedule(text):
    """[seconds] of a schedule like "5s, 5m, 30m, 2h"; ValueError naming
    the step that cannot be read."""
    steps = []
    for raw in (text or "").split(","):
        step = raw.strip().lower()
        match = _STEP.match(step)
        if not match:
            raise ValueError(
                f"{raw.strip()!r} is not a wait: write a number with s, m, h or d "
                "(e.g. 30s, 5m, 2h, 1d)"
            )
        steps.append(int(match[1]) * UNITS[match[2]])
    return steps


def wait_after(schedule, attempt, rng=random):
    """Seconds to wait after failed attempt ``attempt`` (1-based), with
    +/- 10 % jitter so that many deliveries failed together do not come
    back together."""
    base = schedule[min(attempt, len(schedule)) - 1]
    return base * rng.uniform(1 - JITTER, 1 + JITTER)


def retry_after_seconds(value, now=None):
    """Seconds asked by a Retry-After header (delay-seconds or an HTTP
    date), capped; None when absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(int(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return min(max(int((when - now).total_seconds()), 0), MAX_RETRY_AFTER)
