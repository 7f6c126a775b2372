"""Indented JSON, byte for byte what ``json.dumps(document, indent=2, ensure_ascii=False) + "\\n"`` gives, fast.

orjson writes the same bytes as the standard library's indenting encoder (a pure-Python one, the larger
part of a 20,000-finding HDF document's time) for every string, integer, bool, null, list and dict
(tests/test_writer_scale.py checks it), and for floats written as plain decimals from 1e-4 up to below
1e16. The two differ only where a float is very small (orjson "0.00001", Python "1e-05"), is written with
an exponent ("1e16" / "1e+16"), or is not finite, and where orjson refuses a value (a non-str key, an
integer beyond 64 bits). So orjson's bytes are used unless they hold a number of those forms (a number
value always follows ``": "`` or a line's indent in this layout, never a quote) or orjson refused the
document; then the standard library writes it. The search runs as two patterns that each start with a
literal, which re's search skips to (one pattern with both openings tries every byte: 0.8 s on a 51 MB
HDF document against 0.16 s): numbers after ``": `` in the bytes, and numbers opening a line in the bytes
with every space dropped (a newline in this layout is never inside a string, so after one comes the
indent and then a value). Non-finite floats never reach a writer: scores out of
0-10 are dropped when read (scc.facts.scans.vulnparse.cvss_score).
"""
from __future__ import annotations

import json
import re
from typing import Any

_UNSURE = rb'-?(?:\d+(?:\.\d+)?[eE]|0\.0000)'
_UNSURE_MEMBER = re.compile(rb'": ' + _UNSURE)
_UNSURE_LINE = re.compile(rb'\n' + _UNSURE)


def indented_json(document: Any) -> bytes:
    """``(json.dumps(document, indent=2, ensure_ascii=False) + "\\n").encode()``, by orjson where the same."""
    import orjson

    data = _by_orjson(document, orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    if data is not None:
        return data
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def indented_text(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, by orjson where the same (a value inside a document)."""
    import orjson

    data = _by_orjson(value, orjson.OPT_INDENT_2)
    return data.decode("utf-8") if data is not None else json.dumps(value, indent=2, ensure_ascii=False)


def _by_orjson(value: Any, option: int) -> bytes | None:
    """orjson's indented bytes of ``value``; None where they may differ from the standard library's."""
    import orjson

    try:
        data: bytes = orjson.dumps(value, option=option)
    except (TypeError, orjson.JSONEncodeError):
        return None
    return data if data and not _has_unsure_number(data) else None


def _has_unsure_number(data: bytes) -> bool:
    """Whether orjson's indented ``data`` holds a number the standard library may write otherwise."""
    return bool(_UNSURE_MEMBER.search(data) or _UNSURE_LINE.search(b"\n" + data.translate(None, b" ")))
