"""Vendor attestation sets (SR-4(3), SI-7, SA-11, CM-6, SC-13): whether every attestation names this image,
and what the vendor's test, STIG-scan and FIPS attestations evidence.

A vendor attestation is the vendor's word about the image. None of these checks reaches `satisfied` on an
attestation that is unsigned or not verified with a key the organisation supplied (``--key``): its content
could have been written by anyone. SA-11 and the STIG scan stop at `partial` whatever the signature: a test
report or a scan against the vendor's own profile is part of what the control asks, not all of it.
The STIG and FIPS rules are not-applicable when no such attestation was supplied: it is optional evidence,
and the image's own facts decide CM-6 and SC-13 through the other rules.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from scc.engine.checks import CheckContext, check
from scc.engine.checks.fips import validation
from scc.engine.checks.support import gather, listing, manual, outcome, plural
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.engine.tables import CmvpModule
from scc.facts.attestation_sets import names_image, record_of
from scc.facts.model import AttestationRecord, AttestedFipsModule, ImageFacts
from scc.facts.provenance.signing import CHAIN_NOT_CHECKED

_NO_SET = ("No attestation set was supplied; supply the image's attestations (`cosign download attestation "
           "IMAGE > attestations.jsonl`, `docker scout attest get IMAGE`, or an OCI layout with its referrers).")
_FAILING_XCCDF = frozenset({"fail", "error", "unknown"})
_CERT_NUMBER = re.compile(r"#\s*(\d+)|certificate/(\d+)|^\s*(\d+)\s*$")


def _key_verified(record: AttestationRecord) -> bool:
    return record.signature_verified is True and CHAIN_NOT_CHECKED not in record.signature_detail


def _used(facts: ImageFacts, kind: str = "") -> list[AttestationRecord]:
    return [r for r in facts.attestations if not r.excluded and (not kind or r.kind == kind)]


def _digest_gap(facts: ImageFacts) -> str:
    if facts.identity.digest:
        return ""
    return (" The image digest is unknown (no image or image config was supplied), so the attestation is not "
            "shown to be about this image.")


def _signing_gap(records: Sequence[AttestationRecord]) -> str:
    weak = [r for r in records if not _key_verified(r)]
    if not weak:
        return ""
    return (f" {plural(len(weak), 'attestation')} {'is' if len(weak) == 1 else 'are'} unsigned or not verified "
            "with a supplied key (--key), so the content is the publisher's unauthenticated word.")


@check("attestations_name_image", CheckParams, consults=("attestations", "identity.digest"))
def attestations_name_image(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """Every statement of the image's attestation set names the image digest as a subject."""
    records = facts.attestations
    if not records:
        return manual(_NO_SET)
    digest = facts.identity.digest
    rows = [{"predicate_type": r.predicate_type, "subjects": list(r.subjects[:5]), "excluded": r.excluded,
             "verified": _key_verified(r)} for r in records][:30]
    evidence = gather(records) + list(facts.identity.evidence[:2])
    if not digest:
        return manual(
            f"The image digest is unknown (no image, image config, scan or SBOM file named it), so the subjects "
            f"of {plural(len(records), 'attestation')} could not be compared with it; supply the image or its "
            "config.", evidence, attestations=rows, digest=digest)
    foreign = [r for r in records if not names_image(r, digest)]
    if foreign:
        named = listing([f"{r.predicate_type} ({', '.join(r.subjects) or 'no subject'})" for r in foreign], 3)
        used = ("their facts were not used" if all(r.excluded for r in foreign) else
                "no image or image config gave the digest independently, so their facts were kept; supply the "
                "image or its config so the set is checked against the image itself")
        return outcome(
            Verdict.NOT_SATISFIED,
            f"{len(foreign)} of {plural(len(records), 'attestation')} {'does' if len(foreign) == 1 else 'do'} not name "
            f"the image digest {digest} "
            f"({named}); they describe another artifact and {used}.",
            evidence, attestations=rows, digest=digest)
    gap = _signing_gap(records)
    if gap:
        return outcome(Verdict.PARTIAL, f"All {plural(len(records), 'attestation')} name the image digest "
                       f"{digest}, but{gap[0].lower()}{gap[1:]}", evidence, attestations=rows, digest=digest)
    return outcome(Verdict.SATISFIED, f"All {plural(len(records), 'attestation')} name the image digest {digest} "
                   "and verify with a supplied key.", evidence, attestations=rows, digest=digest)


@check("vendor_tests_passed", CheckParams, consults=("test_results", "attestations"))
def vendor_tests_passed(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """The vendor's attested test runs passed. At best partial: SA-11 also asks for the plan, its depth and
    coverage, and flaw remediation, which a person reviews."""
    runs = facts.test_results
    if not runs:
        return manual("No test-result attestation was supplied (in-toto test-result or Docker Scout tests); "
                      + _NO_SET.split("; ", 1)[1])
    records = [r for r in (record_of(run.evidence, facts.attestations) for run in runs) if r is not None]
    rows = [{"result": r.result, "passed": r.passed, "failed": r.failed, "skipped": r.skipped,
             "failed_tests": list(r.failed_tests[:10])} for r in runs][:20]
    evidence = gather(runs) + gather(records)
    failed = [r for r in runs if r.result == "FAILED" or (r.failed or 0) > 0]
    if failed:
        names = listing([n for r in failed for n in r.failed_tests] or [r.result or "failed" for r in failed], 5)
        return outcome(Verdict.NOT_SATISFIED, f"{plural(len(failed), 'attested test run')} report failures ({names}).",
                       evidence, runs=rows)
    unknown = [r for r in runs if not r.result and r.passed is None]
    if len(unknown) == len(runs):
        return manual("The test attestations state neither a result nor test counts; read the reports.",
                      evidence, runs=rows)
    passed = sum(r.passed or 0 for r in runs)
    warned = [r for r in runs if r.result == "WARNED"]
    said = f"{plural(len(runs), 'attested test run')} passed ({passed} tests passed, none failed"
    said += f"; {len(warned)} with warnings)" if warned else ")"
    return outcome(
        Verdict.PARTIAL,
        f"{said}.{_signing_gap(records)}{_digest_gap(facts)} SA-11 also requires the developer's assessment plan, its depth and "
        "coverage, and flaw remediation; review the vendor's test documentation.", evidence, runs=rows)


@check("stig_scan_attested", CheckParams, consults=("attestations", "xccdf_results"))
def stig_scan_attested(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """A vendor STIG scan attestation for this image, and what its XCCDF results say. At best partial."""
    records = _used(facts, "stig")
    if not records:
        return outcome(Verdict.NOT_APPLICABLE, "No vendor STIG scan attestation (https://docker.com/dhi/stig/v0.1) "
                       "was supplied; this rule judges only such an attestation, and CM-6 is decided by the other "
                       "rules and scan results.")
    results = [x for x in facts.xccdf_results if record_of(x.evidence, records) is not None]
    evidence = gather(records) + gather(results, 20)
    summary = "; ".join(r.summary for r in records if r.summary)
    if not results:
        return manual(f"The STIG scan attestation carries no XCCDF results ({summary}); read its report.",
                      evidence, summary=summary)
    failing = [x for x in results if x.result.lower() in _FAILING_XCCDF]
    counts = {"results": len(results), "failing": len(failing)}
    if failing:
        return outcome(Verdict.NOT_SATISFIED,
                       f"The vendor's STIG scan reports {plural(len(failing), 'failing rule')} of {len(results)} "
                       f"({listing([x.rule_id for x in failing], 5)}).", evidence, summary=summary, **counts)
    return outcome(
        Verdict.PARTIAL,
        f"The vendor's STIG scan reports no failing rule among {len(results)} results ({summary})."
        f"{_signing_gap(records)}{_digest_gap(facts)} "
        "It ran the vendor's STIG-based profile, not a DISA benchmark: confirm the profile covers the STIG the "
        "system must meet; each result is also assessed with the other scan results.", evidence, summary=summary,
        **counts)


@check("fips_attestation_consistent", CheckParams, consults=("attested_fips_modules", "fips_modules", "attestations"))
def fips_attestation_consistent(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """The modules a vendor's FIPS attestation names carry the CMVP certificates scc's table records for them
    and are the modules the image's filesystem shows activated."""
    attested = facts.attested_fips_modules
    if not attested:
        return outcome(Verdict.NOT_APPLICABLE, "No vendor FIPS compliance attestation (https://docker.com/dhi/fips/v0.1) "
                       "was supplied; this rule judges only such an attestation, and SC-13 is decided from the image's "
                       "own modules (sc13-fips-module-active).")
    table = ctx.tables.fips_modules
    records = [r for r in (record_of(m.evidence, facts.attestations) for m in attested) if r is not None]
    rows = [_judged(m, table) for m in attested]
    evidence = gather(attested) + gather(records) + gather(facts.fips_modules, 10)
    wrong = [r for r in rows if r["problem"]]
    if wrong:
        return outcome(Verdict.NOT_SATISFIED, "The FIPS attestation does not hold up: "
                       + "; ".join(f"{r['module']}: {r['problem']}" for r in wrong[:5]) + ".", evidence, modules=rows)
    unlisted = [r["module"] for r in rows if not r["table_certificate"]]
    active = {(m.name.lower(), m.version) for m in facts.fips_modules
              if m.activated and m.integrity and validation(m, table)[0]}
    unseen = [r["module"] for r in rows if (r["name"].lower(), r["version"]) not in active]
    gaps = []
    if unlisted:
        gaps.append(f"scc's CMVP table (controls/fips-modules.yaml) does not list {listing(unlisted, 3)}: "
                    "check the certificate on the CMVP site")
    if unseen:
        gaps.append(f"the image filesystem does not show {listing(unseen, 3)} activated with its integrity check"
                    + ("" if facts.filesystem is not None else " (no filesystem was supplied)"))
    signing = _signing_gap(records) + _digest_gap(facts)
    if gaps or signing:
        said = (f"The FIPS attestation names {plural(len(rows), 'module')} and no certificate it names contradicts "
                "scc's CMVP table")
        said += f", but {'; '.join(gaps)}." if gaps else "."
        return outcome(Verdict.PARTIAL, said + signing, evidence, modules=rows)
    return outcome(Verdict.SATISFIED, f"The signed FIPS attestation names {plural(len(rows), 'module')} whose CMVP "
                   "certificates match scc's table, and the image filesystem shows each activated with its "
                   "integrity check.", evidence, modules=rows)


def _judged(module: AttestedFipsModule, table: Sequence[CmvpModule]) -> dict[str, str]:
    """The attested module against the CMVP table (by exact name and version) and its stated status."""
    stated = _certificate_number(module.certification) or _certificate_number(module.certification_url)
    known = next((e for e in table if e.name.lower() == module.name.lower() and e.version == module.version
                  and module.version), None)
    problem = ""
    if module.status and module.status.lower() != "active":
        problem = f"the attestation states CMVP status '{module.status}', not active"
    elif not stated:
        problem = "the attestation names no CMVP certificate"
    elif known is not None and known.certificate != stated:
        problem = (f"the attestation names certificate #{stated}, but CMVP certificate #{known.certificate} is the "
                   f"one for {known.name} {known.version}")
    return {"module": f"{module.name} {module.version}".strip(), "name": module.name, "version": module.version,
            "stated_certificate": stated, "table_certificate": known.certificate if known else "",
            "status": module.status, "problem": problem}


def _certificate_number(text: str) -> str:
    found = _CERT_NUMBER.search(text or "")
    return next((g for g in found.groups() if g), "") if found else ""
