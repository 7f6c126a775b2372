"""DISA's severity categories, defined once: CAT I for high (and a scanner's critical, and a known
malicious package's "malicious", whatever the scanner rated it), CAT II for medium,
CAT III for low (and a scanner's negligible). Any other word has no category; each caller says what
an unrated severity reads as (the gate counts it as CAT II, the SSP shows a dash).

A leaf module: the content parsers, the report and the writers all import it.
"""
from __future__ import annotations

_CATEGORY_NUMBER = {"malicious": 1, "critical": 1, "high": 1, "medium": 2, "low": 3, "negligible": 3}
_ROMAN = {1: "I", 2: "II", 3: "III"}


def severity_category(severity: str) -> int | None:
    """The DISA category number (1, 2, 3) of a severity word, or None when the word has none."""
    return _CATEGORY_NUMBER.get(severity.strip().lower())


def category_label(severity: str, unrated: str = "") -> str:
    """'CAT I' / 'CAT II' / 'CAT III' for a severity word; ``unrated`` when it has no category."""
    number = severity_category(severity)
    return f"CAT {_ROMAN[number]}" if number else unrated


def raw_severity(severity: str) -> str:
    """eMASS's Raw Severity (I, II, III) of a severity word; '' when it has no category."""
    number = severity_category(severity)
    return _ROMAN[number] if number else ""


