"""Hypothesis strategies for hostile values: every JSON type, and text that has broken writers before."""
from __future__ import annotations

from hypothesis import strategies as st

#: text that has crashed or fooled a document writer somewhere (scc or elsewhere)
HOSTILE_TEXT = [
    "\ud83d", "\udc00", "a\ud800b",                # lone surrogates (reach Python as str after json.loads)
    "\x00", "a\x01b", "\x0b\x0c", "\x1b[31m", "\x7f", "\x85", "\ufffe", "\uffff",  # control / XML-illegal
    "\u202e\u2066evil\u2069", "\u200f", "\u061c",  # bidi controls
    "\ufeff", "\u2028\u2029", "\r\n", "\r", "\t",
    "{{ 7*7 }}", "{% for x in range(10) %}x{% endfor %}", "${jndi:ldap://x}",
    "<script>alert(1)</script>", "]]>", "<![CDATA[x]]>", "&amp;&#0;&#xD800;", '"><img src=x>',
    "=cmd|' /C calc'!A0", "+SUM(1,1)", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://x\")",
    "../../../../etc/passwd", "/etc/shadow", "file:///etc/passwd", "C:\\Windows\\system32",
    "https://x-access-token:ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com/o/r?token=abc",
    "pkg:npm/%40scope/name@1.0.0?x=%00#\ud83d", "pkg:", "pkg:deb/", "cpe:2.3:a:*:*:*:*:*:*:*:*:*:*",
    "CVE-", "CVE-2021-44228\n", "sha256:", "sha256:" + "0" * 63, "NaN", "-0", "1e999",
    "\U0001f600" * 3, "\u0301" * 50, "Ω≈ç√", "",
]
#: numbers at the edges of every encoder and of Python's int-to-str limit
EDGE_NUMBERS = [0, -1, 2**31, 2**63, -(2**63) - 1, 2**64, 10**30, 10**4000, 1.5e308, -0.0, 5e-324]


def hostile_text() -> st.SearchStrategy[str]:
    long_text = st.builds(lambda c, n: c * n, st.sampled_from(["A", "\u202e", "\x00", "é", "\ud83d"]),
                          st.sampled_from([1000, 70_000, 1_000_000]))
    mixed = st.lists(st.sampled_from(HOSTILE_TEXT) | st.text(max_size=8), min_size=1, max_size=4).map("".join)
    return st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(), mixed, long_text)


def scalar() -> st.SearchStrategy[object]:
    return st.one_of(
        st.none(), st.booleans(), st.integers(), st.sampled_from(EDGE_NUMBERS),
        st.floats(allow_nan=True, allow_infinity=True), hostile_text(),
    )


def json_value() -> st.SearchStrategy[object]:
    """Any JSON value (NaN/Infinity included: Python's json accepts them), nested a little."""
    return st.recursive(
        scalar(),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(hostile_text(), children, max_size=4),
        max_leaves=12,
    )


#: raw JSON text spliced in where a value was: things json.dumps would never write
RAW_JSON = [
    '"\\ud83d"', '"\\udc00\\ud83d"', '"\\u0000"', '"\\u202e"', "1e999999", "-1e999999",
    "123456789012345678901234567890123456789", "NaN", "-Infinity", '"\\x"', "[", '{"a":1,"a":2}',
]


def raw_json() -> st.SearchStrategy[str]:
    deep = st.builds(lambda n, o: o[0] * n + o[2] + o[1] * n, st.sampled_from([64, 500, 990, 5000, 100_000]),
                     st.sampled_from([("[", "]", ""), ('{"a":', "}", "0")]))
    return st.one_of(st.sampled_from(RAW_JSON), deep)
