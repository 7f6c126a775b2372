"""Predicates hardened-image vendors attach to an image, read as raw facts.

Owns the predicates of a vendor attestation set that are neither SBOM, VEX, SLSA nor a vulnerability
scan (those go to their own readers through scc.facts.provenance.intoto):

- Docker Hardened Images FIPS compliance (``https://docker.com/dhi/fips/v0.1``): the modules named, with
  version, package, certificate ("CMVP #4985") and status exactly as written. Whether a certificate is a
  CMVP validation is the engine's lookup in controls/fips-modules.yaml, never decided here.
- DHI STIG scan (``https://docker.com/dhi/stig/v0.1``): its ``output`` entries of format ``xccdf`` (base64)
  are handed to the XCCDF results reader, so they join the scan-results path with evidence pointing into
  the attestation; the summary fields are recorded as written.
- Test results: in-toto ``https://in-toto.io/attestation/test-result/v0.1`` (result, passed/warned/failed
  test names, configuration, url) and DHI's ``https://scout.docker.com/tests/v0.1`` (a CTRF report:
  results.summary counts, results.tests statuses).
- Chainguard's ``https://apko.dev/image-configuration`` (the apko build configuration): recorded, not judged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scc.clock import parse_time
from scc.facts.interface import read_with
from scc.facts.model import AttestedFipsModule, ImageFacts, VendorTestRun
from scc.facts.provenance import signing as sig
from scc.facts.source import InputDocument

DHI_FIPS = "https://docker.com/dhi/fips/v"
DHI_STIG = "https://docker.com/dhi/stig/v"
SCOUT_TESTS = "https://scout.docker.com/tests/v"
SCOUT_SECRETS = "https://scout.docker.com/secrets/v"
INTOTO_TEST_RESULT = "https://in-toto.io/attestation/test-result/v"
APKO_CONFIGURATION = "https://apko.dev/image-configuration"
_SUMMARY_FIELDS = 8


@dataclass
class PredicateFacts:
    """What one vendor predicate contributed: facts, a one-phrase summary, notes."""

    facts: ImageFacts = field(default_factory=ImageFacts)
    summary: str = ""


def kind_of(predicate_type: str) -> str:
    """The vendor predicate a type names ('' when it is none of them)."""
    for prefix, kind in ((DHI_FIPS, "fips"), (DHI_STIG, "stig"), (SCOUT_TESTS, "test"),
                         (INTOTO_TEST_RESULT, "test"), (SCOUT_SECRETS, "secrets"),
                         (APKO_CONFIGURATION, "build-configuration")):
        if predicate_type.startswith(prefix):
            return kind
    return ""


def read_predicate(doc: InputDocument, predicate_type: str, predicate: Any, where: str) -> PredicateFacts | None:
    """The facts of a vendor predicate this module reads, else None (the caller hands it on)."""
    kind = kind_of(predicate_type)
    if kind == "fips":
        return _fips(doc, predicate, where)
    if kind == "stig":
        return _stig(doc, predicate, where)
    if kind == "test":
        return _test(doc, predicate_type, predicate, where)
    if kind == "build-configuration":
        return _apko(predicate)
    return None


# -- FIPS compliance -----------------------------------------------------------------------------
def _fips(doc: InputDocument, predicate: Any, where: str) -> PredicateFacts:
    """DHI documents the predicate as a list of module objects; one object, or an object holding such a
    list, is read the same way."""
    entries = _module_entries(predicate, where)
    if entries is None:
        raise doc.fail(f"{where}: the FIPS predicate lists no cryptographic module (expected objects with 'name')")
    out = PredicateFacts()
    for pointer, entry in entries:
        out.facts.attested_fips_modules.append(AttestedFipsModule(
            name=_text(entry.get("name")), version=_text(entry.get("version")), package=_text(entry.get("package")),
            certification=_text(entry.get("certification")), certification_url=_text(entry.get("certificationUrl")),
            standard=_text(entry.get("standard")), status=_text(entry.get("status")),
            sunset_date=_text(entry.get("sunsetDate")), evidence=(doc.evidence(pointer),)))
    named = [f"{m.name} {m.version} ({m.certification or 'no certificate named'})".strip()
             for m in out.facts.attested_fips_modules]
    out.summary = f"FIPS compliance: {len(named)} module(s): " + "; ".join(named[:5])
    return out


def _module_entries(predicate: Any, where: str) -> list[tuple[str, dict]] | None:
    if isinstance(predicate, list):
        found = [(f"{where}/{i}", e) for i, e in enumerate(predicate) if isinstance(e, dict) and "name" in e]
        return found or None
    if not isinstance(predicate, dict):
        return None
    if "name" in predicate and ({"certification", "package", "standard"} & set(predicate)):
        return [(where, predicate)]
    for key in sorted(predicate):
        if isinstance(predicate[key], list):
            nested = _module_entries(predicate[key], f"{where}/{key}")
            if nested:
                return nested
    return None


# -- STIG scan -----------------------------------------------------------------------------------
def _stig(doc: InputDocument, predicate: Any, where: str) -> PredicateFacts:
    from scc.facts.scans.xccdf_results import READER as XCCDF

    if not isinstance(predicate, dict):
        raise doc.fail(f"{where}: the STIG scan predicate must be an object")
    out = PredicateFacts()
    outputs = predicate.get("output")
    read = 0
    for index, entry in enumerate(outputs if isinstance(outputs, list) else []):
        if not isinstance(entry, dict) or _text(entry.get("format")).lower() != "xccdf":
            continue
        at = f"{where}/output/{index}/content"
        content = entry.get("content")
        if not isinstance(content, str):
            raise doc.fail(f"{at}: the XCCDF output must be a base64 string")
        try:
            xml = sig.decode_base64(content)
        except ValueError as exc:
            raise doc.fail(f"{at}: malformed base64 in the STIG scan's XCCDF output") from exc
        embedded = InputDocument.embedded(doc, xml, f"{at}(base64)")
        if not XCCDF.sniff(embedded):
            raise doc.fail(f"{at}: the STIG scan's XCCDF output holds no XCCDF TestResult")
        part = read_with(XCCDF, embedded)
        out.facts.xccdf_results.extend(part.xccdf_results)
        out.facts.notes.extend(part.notes)
        read += 1
    fields_ = _scalars({k: v for k, v in predicate.items() if k != "output"})
    if not read:
        out.facts.notes.append(f"{doc.display_path}#{where}: the STIG scan attestation carries no XCCDF output; "
                               "only its summary is recorded")
    out.summary = (f"STIG scan: {read} XCCDF report(s), {len(out.facts.xccdf_results)} rule results"
                   + (f"; {', '.join(fields_)}" if fields_ else ""))
    return out


def _scalars(value: dict, prefix: str = "") -> list[str]:
    """'key=value' for the scalar fields (one level of nesting), as written, capped."""
    found: list[str] = []
    for key in sorted(value):
        item = value[key]
        if isinstance(item, str | int | float | bool):
            text = str(item)
            if len(text) <= 120:
                found.append(f"{prefix}{key}={text}")
        elif isinstance(item, dict) and not prefix:
            found.extend(_scalars(item, f"{key}."))
    return found[:_SUMMARY_FIELDS]


# -- tests ---------------------------------------------------------------------------------------
def _test(doc: InputDocument, predicate_type: str, predicate: Any, where: str) -> PredicateFacts:
    if not isinstance(predicate, dict):
        raise doc.fail(f"{where}: the test predicate must be an object")
    if predicate_type.startswith(INTOTO_TEST_RESULT):
        run = _intoto_test(predicate_type, predicate, doc.evidence(where))
    else:
        run = _ctrf_test(doc, predicate_type, predicate, where)
    out = PredicateFacts()
    out.facts.test_results.append(run)
    counts = ", ".join(f"{n} {label}" for n, label in ((run.passed, "passed"), (run.failed, "failed"),
                                                       (run.skipped, "skipped")) if n is not None)
    out.summary = f"tests: {run.result or 'no overall result'}" + (f" ({counts})" if counts else "")
    return out


def _intoto_test(predicate_type: str, predicate: dict, evidence) -> VendorTestRun:
    passed, failed = _names(predicate.get("passedTests")), _names(predicate.get("failedTests"))
    configuration = tuple(_descriptor(d) for d in predicate.get("configuration") or [] if isinstance(d, dict))
    return VendorTestRun(
        predicate_type=predicate_type, result=_text(predicate.get("result")).upper(),
        passed=len(passed) if "passedTests" in predicate else None,
        failed=len(failed) if "failedTests" in predicate else None,
        failed_tests=failed[:50], configuration=configuration, url=_text(predicate.get("url")),
        evidence=(evidence,))


def _ctrf_test(doc: InputDocument, predicate_type: str, predicate: dict, where: str) -> VendorTestRun:
    """A CTRF report (https://ctrf.io): results.summary {tests, passed, failed, skipped, start, stop}."""
    results = predicate.get("results")
    if not isinstance(results, dict) or not isinstance(results.get("summary"), dict):
        raise doc.fail(f"{where}/results/summary: missing from the test report (expected a CTRF report)")
    summary = results["summary"]
    tests = [t for t in results.get("tests") or [] if isinstance(t, dict)]
    failed_names = tuple(_text(t.get("name")) for t in tests if _text(t.get("status")).lower() == "failed")
    tool = results.get("tool")
    return VendorTestRun(
        predicate_type=predicate_type, tool=_text(tool.get("name")) if isinstance(tool, dict) else "",
        total=_count(summary.get("tests")), passed=_count(summary.get("passed")),
        failed=_count(summary.get("failed")), skipped=_count(summary.get("skipped")),
        failed_tests=failed_names[:50], started=_epoch(summary.get("start")), finished=_epoch(summary.get("stop")),
        evidence=(doc.evidence(f"{where}/results/summary"),))


def _names(value: Any) -> tuple[str, ...]:
    return tuple(v.strip() for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _descriptor(entry: dict) -> str:
    name = _text(entry.get("name")) or _text(entry.get("uri")) or _text(entry.get("downloadLocation"))
    digest = entry.get("digest")
    first = next(iter(sorted(digest.items())), None) if isinstance(digest, dict) else None
    return f"{name} {first[0]}:{first[1]}".strip() if first else name


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _epoch(value: Any) -> datetime | None:
    """CTRF times are epoch milliseconds; DHI's example writes seconds. Either is read."""
    if isinstance(value, str):
        return parse_time(value)
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        return None
    seconds = value / 1000 if value > 10**11 else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


# -- apko image configuration (Chainguard) -------------------------------------------------------
def _apko(predicate: Any) -> PredicateFacts:
    contents = predicate.get("contents") if isinstance(predicate, dict) else None
    packages = contents.get("packages") if isinstance(contents, dict) else None
    count = len(packages) if isinstance(packages, list) else 0
    return PredicateFacts(summary=f"apko image configuration: {count} package(s) requested")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
