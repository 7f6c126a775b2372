"""The assessment clock: SOURCE_DATE_EPOCH when set, so identical inputs give identical outputs."""
from __future__ import annotations

import os
from datetime import UTC, datetime

from scc.errors import UsageError


def assessment_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when the build is meant to be reproducible. Always UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError as exc:
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from exc
    return datetime.now(tz=UTC).replace(microsecond=0)


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
