"""normalise_purl's hand-written fast path (issue #12) gives exactly what packageurl-python gives: on generated
purls in and around the subset it reads (escapes, case, npm scopes, qualifiers packageurl refuses, scheme and
netloc look-alikes, whitespace, non-ASCII), on every purl of the real samples and on mutations of them."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scc.engine.checks.inventory import _library_parts, _os_package_parts
from scc.facts.identity import _FAST_TYPES, _fast_canonical, _library_canonical, normalise_purl

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies
given, settings, HealthCheck = hypothesis.given, hypothesis.settings, hypothesis.HealthCheck

REPO = Path(__file__).resolve().parent.parent
TYPES = sorted(_FAST_TYPES) + ["NPM", "Deb", "PyPI", "mlflow", "cpan", "pub", "hackage", "a", "flow", "1abc",
                               "x_y", "x.y", "unknown", "", "c"]
# The types with their own case rules, drawn as often as all the others together.
RULED = ["oci", "huggingface", "pypi", "npm", "github", "apk", "alpm", "hex", "bitnami", "mlflow", "cpan", "pub"]
TYPE = st.sampled_from(RULED) | st.sampled_from(TYPES)
PIECES = ["a", "Z", "q", "0", "9", ".", "_", "-", "~", "+", ":", "@", "/", "//", "%", "%2B", "%2b", "%3A", "%3a",
          "%40", "%2F", "%2f", "%20", "%25", "%41", "%4a", "%7E", "%7F", "%21", "%C3%A9", "%C3", "%zz", "%0A", " ",
          "\t", "\n", "é", "\u212a", "İ", "!", "*", "'", "(", "?", "#", "&", "=", ";", ",", "$", "\x00", "\x1c", "..",
          "Foo_Bar"]
SEGMENT = st.lists(st.sampled_from(PIECES) | st.text("abcXYZ019._-", min_size=1, max_size=6),
                   min_size=0, max_size=5).map("".join)
PLAIN = st.text("abcdefXYZ0129._-+~", min_size=1, max_size=8)
KEY = st.sampled_from(["arch", "distro", "Arch", "repository_url", "1a", "a b", "a%20", "", " ", "k\u212a", "_x",
                       "x.y-z", "upstream", "é"])
VALUE = st.sampled_from(["amd64", "", " ", "%20", "linux%2Famd64", "https://x.y/z", "a=b", "%C3", "debian-12", "1"])
PAIR = st.tuples(KEY, VALUE).map(lambda kv: "=".join(kv)) | SEGMENT
QUALIFIERS = st.lists(PAIR, min_size=0, max_size=4).map("&".join)


FAST_PIECES = ["a", "Z", "q", "0", "9", ".", "_", "-", "~", "+", "%2B", "%2b", "%3A", "%40", "%41", "%4a", "%25",
               "%7E", "%21", "%5F", "%2d", "Foo_Bar"]
FAST_SEGMENT = st.lists(st.sampled_from(FAST_PIECES) | st.text("abcXYZ019._-+~", min_size=1, max_size=6),
                        min_size=1, max_size=4).map("".join)


@st.composite
def well_formed(draw: st.DrawFn) -> str:
    """A purl in or near the fast path's subset: its alphabet, escapes, case, npm scope, a valid or refused
    qualifier string, a subpath."""
    segment = lambda: draw(FAST_SEGMENT)
    text = "pkg:" + draw(TYPE) + "/"
    if draw(st.integers(0, 4)) == 0:
        text += "@" + segment() + "/"
    text += "".join(segment() + "/" for _ in range(draw(st.integers(0, 3))))
    text += segment()
    if draw(st.booleans()):
        text += "@" + segment() + draw(st.sampled_from(["", "", ":" + segment()]))
    if draw(st.booleans()):
        text += "?" + draw(QUALIFIERS)
    if draw(st.integers(0, 3)) == 0:
        text += "#" + draw(SEGMENT)
    return text


@st.composite
def near_misses(draw: st.DrawFn) -> str:
    """A well-formed purl with one to three pieces of PIECES spliced in."""
    text = draw(well_formed())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(PIECES)) + text[at + draw(st.integers(0, 1)):]
    return text


@st.composite
def assembled(draw: st.DrawFn) -> str:
    """A purl built part by part, each part usually well-formed and sometimes anything from PIECES."""
    part = lambda: draw(PLAIN | SEGMENT)
    text = draw(st.sampled_from(["pkg:", "pkg:", "pkg:", "PKG:", "pkg:/", "pkg://", " pkg:", "pkg"]))
    text += draw(TYPE) + draw(st.sampled_from(["/", "/", "/", "//", "", "%2F", ":/"]))
    if draw(st.booleans()):
        text += "@" + part() + "/"
    text += "".join(part() + "/" for _ in range(draw(st.integers(0, 3))))
    text += part()
    if draw(st.booleans()):
        text += "@" + part()
    if draw(st.booleans()):
        text += "?" + draw(QUALIFIERS)
    if draw(st.booleans()):
        text += "#" + part()
    return text + draw(st.sampled_from(["", "", "", " ", "\n", "/", "@", "?"]))


def purls() -> st.SearchStrategy[str]:
    return well_formed() | near_misses() | assembled()


def _same(purl: str) -> None:
    fast = _fast_canonical(purl)
    if fast is not None:
        assert fast == _library_canonical(purl), purl
    assert normalise_purl(purl) == _library_canonical(purl), purl


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(purls())
def test_fast_path_agrees_with_packageurl_on_generated_purls(purl: str) -> None:
    _same(purl)


@settings(max_examples=1000, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(lambda t: "pkg:" + t))
def test_fast_path_agrees_with_packageurl_on_arbitrary_text(purl: str) -> None:
    _same(purl)


def _purls_in(value: object, found: set[str]) -> None:
    if isinstance(value, str):
        found.update(re.findall(r"pkg:[^\s\"'<>]+", value))
    elif isinstance(value, dict):
        for item in value.values():
            _purls_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _purls_in(item, found)


def real_purls(roots: list[Path]) -> list[str]:
    """Every purl-looking string in the JSON, XML and tag-value files under roots (JSON decoded first, so
    escapes such as \\u0026 are read as the reader reads them)."""
    found: set[str] = set()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.stat().st_size > 20_000_000:
                continue
            text = path.read_text(errors="replace")
            if "pkg:" not in text:
                continue
            try:
                _purls_in(json.loads(text), found)
            except ValueError:
                found.update(re.findall(r"pkg:[^\s\"'<>]+", text))
    return sorted(found)


@pytest.fixture(scope="module")
def sample_purls(samples: Path) -> list[str]:
    return real_purls([samples, REPO / "tests" / "data", REPO / "examples"])


def test_fast_path_agrees_with_packageurl_on_real_purls(sample_purls: list[str]) -> None:
    assert len(sample_purls) > 500
    for purl in sample_purls:
        _same(purl)


def test_fast_path_reads_most_real_purls(sample_purls: list[str]) -> None:
    """The point of the fast path: the purls syft, trivy and grype write rarely need packageurl."""
    handled = [p for p in sample_purls if _fast_canonical(p) is not None]
    assert len(handled) > 0.9 * len(sample_purls)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fast_path_agrees_with_packageurl_on_mutated_real_purls(sample_purls: list[str], data: st.DataObject) -> None:
    purl = data.draw(st.sampled_from(sample_purls))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(purl)))
        cut = data.draw(st.integers(0, 2))
        purl = purl[:at] + data.draw(st.sampled_from(PIECES) | st.just("")) + purl[at + cut:]
    _same(purl)


@pytest.mark.parametrize(("purl", "canonical"), [
    ("pkg:deb/debian/libc6@2.36-9+deb12u9?arch=amd64&distro=debian-12", "pkg:deb/libc6@2.36-9%2Bdeb12u9"),
    ("pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64", "pkg:deb/zlib1g@1:1.2.13.dfsg-1"),
    ("pkg:npm/%40Babel/Core@7.0.0", "pkg:npm/%40Babel/core@7.0.0"),
    ("pkg:npm/@types/node@20.1.0", "pkg:npm/%40types/node@20.1.0"),
    ("pkg:PyPI/Foo_Bar+x@1.0#sub/path", "pkg:pypi/foo-bar%2bx@1.0"),
    ("pkg:golang/github.com/Example/Mod@v1.2.3", "pkg:golang/github.com/Example/Mod@v1.2.3"),
    ("pkg:oci/App@SHA256:ABC?repository_url=ghcr.io/o/app", "pkg:oci/app@sha256:abc"),
    ("pkg:oci/a@A:+", "pkg:oci/a@a:%2b"),     # oci versions are lower-cased after quoting, escapes too
    ("pkg:deb/debian/x@1?arch", ""),          # a qualifier without '=': packageurl refuses the purl
    ("pkg:deb/debian/x@1?1a=b", ""),          # a key starting with a digit
])
def test_known_purls(purl: str, canonical: str) -> None:
    assert _library_canonical(purl) == canonical
    assert normalise_purl(purl) == canonical
    if canonical:
        assert _fast_canonical(purl) == canonical     # these common shapes take the fast path


# The engine's second reading of an OS package's canonical purl (no_superseded_packages) skips packageurl in
# the same way: its (type, namespace, name) must be what from_string reads from that canonical string.

def _same_parts(purl: str) -> bool:
    """Check the fast reading of the purl's canonical form against packageurl's; whether it applied."""
    canonical = normalise_purl(purl)
    fast = _os_package_parts(canonical) if canonical else None
    if fast is not None:
        assert fast == _library_parts(canonical), purl
    return fast is not None


OS_TYPE = st.sampled_from(["deb", "rpm", "apk", "alpm", "Deb", "RPM", "APK"])


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OS_TYPE, SEGMENT, SEGMENT, st.booleans(), st.booleans(), QUALIFIERS)
def test_os_package_parts_agree_with_packageurl(kind: str, name: str, version: str, versioned: bool,
                                                qualified: bool, qualifiers: str) -> None:
    _same_parts(f"pkg:{kind}/{name}" + (f"@{version}" if versioned else "") + (f"?{qualifiers}" if qualified else ""))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(purls())
def test_os_package_parts_agree_with_packageurl_on_generated_purls(purl: str) -> None:
    _same_parts(purl)


def test_os_package_parts_agree_with_packageurl_on_real_purls(sample_purls: list[str]) -> None:
    fast = sum(_same_parts(purl) for purl in sample_purls)
    assert fast > 100      # the samples' deb, rpm and apk packages take the fast reading
