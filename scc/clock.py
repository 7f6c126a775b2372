"""The assessment clock: SOURCE_DATE_EPOCH when set, so identical inputs give identical outputs."""
from __future__ import annotations

import os
import re
from datetime import UTC, datetime

from scc.errors import UsageError

# The range every output can encode. The floor is the epoch itself (a count of seconds is never
# negative); the ceiling is the last second a zip entry's DOS date can hold (years 1980..2107), and
# poam.xlsx is a zip. Zip entries of an assessment before 1980 are dated 1980-01-01, the earliest
# a zip stores. XCCDF/OSCAL date-times, PDF dates and xlsx properties all reach 9999.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2107, 12, 31, 23, 59, 59, tzinfo=UTC)
_DIGITS = re.compile(r"-?[0-9]+", re.ASCII)


def assessment_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when the build is meant to be reproducible. Always UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return epoch_time(epoch)
    return datetime.now(tz=UTC).replace(microsecond=0)


def epoch_time(epoch: str) -> datetime:
    """The moment a SOURCE_DATE_EPOCH value names; a UsageError unless every output can encode it."""
    text = epoch.strip()
    shown = repr(epoch) if len(epoch) <= 40 else f"{epoch[:20]!r}... ({len(epoch)} characters)"
    if not _DIGITS.fullmatch(text):
        raise UsageError(f"SOURCE_DATE_EPOCH={shown} is not a whole number of seconds")
    low, high = int(EARLIEST.timestamp()), int(LATEST.timestamp())
    span = f"use a value from {low} ({iso(EARLIEST)}) to {high} ({iso(LATEST)})"
    if text.startswith("-"):
        raise UsageError(f"SOURCE_DATE_EPOCH={shown} is negative (before 1970-01-01); {span}")
    if len(text.lstrip("0")) > len(str(high)) or int(text) > high:
        raise UsageError(f"SOURCE_DATE_EPOCH={shown} is after {iso(LATEST)}, the last date a zip "
                         f"(poam.xlsx) can hold; {span}")
    return datetime.fromtimestamp(int(text), tz=UTC)


def iso(moment: datetime) -> str:
    """RFC 3339 with a Z suffix, the form OSCAL and XCCDF both accept."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str | None) -> datetime | None:
    """Parse the timestamps scanners and SBOM tools write (RFC 3339, with or without fraction/zone)."""
    if not text or not isinstance(text, str):
        return None
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "." in value:  # Python < 3.11 style limits: trim nanoseconds that Go tools write
        head, _, tail = value.partition(".")
        digits = tail[: len(tail) - len(tail.lstrip("0123456789"))]  # the fraction only, not the zone
        zone = tail[len(digits):]
        value = f"{head}.{digits[:6]}{zone}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
