"""The official releases scc knows, pinned by sha256 and size, and the trust decision for new bytes.

Each pin is one publisher file as scc last checked it: the registry source it is, the release the
file states inside itself (OSCAL ``metadata.version``, the CCI list's ``metadata/version``, an
XCCDF benchmark's ``V<version>R<release-info>``), its sha256 and its size. The hashes were computed
from the reference copies whose origin (repository, path, commit) is recorded with the test data.

A fetched or imported file is accepted when its sha256 is pinned here, or when the user accepted
exactly that sha256 before (``--accept-new``, recorded in the content lock). Anything else is
refused: a file that claims a pinned release with different bytes is tampered (or re-published);
a release scc has no pin for needs ``--accept-new`` after a person has checked it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from scc.errors import ContentError


@dataclass(frozen=True)
class Pin:
    """One official file scc ships the hash of."""

    name: str            # registry source name
    release: str         # the release as the file states it inside itself
    sha256: str
    size: int
    origin: str          # where the pinned bytes were taken from


_NIST = "usnistgov/oscal-content nist.gov/SP800-53/rev5/json/"
_NIST_AT = "@88bb8deeaa815f8914d68ea7e31a622ebbc1719d"
_FEDRAMP = "GSA/fedramp-automation dist/content/rev5/baselines/json/"
_FEDRAMP_AT = "@c784140bc6d1ac9fa159aabc0e8a29e9aa2c63a9"
_CAC = "ComplianceAsCode/content shared/references/"
_CAC_AT = "@b3a2cca9352cbcefb7f00d770bfd6f679da18d6a"

PINS: tuple[Pin, ...] = (
    Pin("nist-800-53-rev5-catalog", "5.2.0",
        "1645df6a370dcb931db2e2d5d70c2f77bc89c38499a416c23a70eb2c0e595bcc", 10441264,
        _NIST + "NIST_SP-800-53_rev5_catalog.json (main, 5.2.0 release, last-modified 2025-08-26)"),
    Pin("nist-800-53-rev5-low", "5.1.1+u4",
        "79b7c450ab62ba012e5ad95f6255ece75fc165b2c421fefda276d82240542219", 6014,
        _NIST + "NIST_SP-800-53_rev5_LOW-baseline_profile.json" + _NIST_AT),
    Pin("nist-800-53-rev5-moderate", "5.1.1+u4",
        "d88e64e1e4b3a2d65de2367f4ec31828c04f1be93375fd597c41af1409578e03", 9278,
        _NIST + "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json" + _NIST_AT),
    Pin("nist-800-53-rev5-high", "5.1.1+u4",
        "c98eb266f3c78c622c6573e032ab1b7619a30821840bb10f7f21fdee78281058", 11272,
        _NIST + "NIST_SP-800-53_rev5_HIGH-baseline_profile.json" + _NIST_AT),
    Pin("nist-800-53-rev5-privacy", "5.1.1+u4",
        "ee4e7f0ff8f1141d3974f9072d287af919d081e1dfc6666ac0b579504aeddbcb", 4844,
        _NIST + "NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json" + _NIST_AT),
    Pin("fedramp-rev5-low", "fedramp2.1.0-oscal1.0.4",
        "b13459be3665380b559f10c500310668ce12c2ef71b3c8be997509659988265e", 794948,
        _FEDRAMP + "FedRAMP_rev5_LOW-baseline_profile.json" + _FEDRAMP_AT),
    Pin("fedramp-rev5-moderate", "fedramp2.1.0-oscal1.0.4",
        "5db32cd3c31c3450c03168edd3db26641324c15971edf52163d2310ccdaa925f", 1204545,
        _FEDRAMP + "FedRAMP_rev5_MODERATE-baseline_profile.json" + _FEDRAMP_AT),
    Pin("fedramp-rev5-high", "fedramp2.1.0-oscal1.0.4",
        "cce692728b57fae69b25860aba7116426a3637d5b01eb02cd23b13c4eff868f4", 1372670,
        _FEDRAMP + "FedRAMP_rev5_HIGH-baseline_profile.json" + _FEDRAMP_AT),
    Pin("fedramp-rev5-li-saas", "fedramp2.1.0-oscal1.0.4",
        "3d11139325bf0dd23aa3b2185c42ea08f73f6c678c2103dfc75dad4728d353f7", 168766,
        _FEDRAMP + "FedRAMP_rev5_LI-SaaS-baseline_profile.json" + _FEDRAMP_AT),
    Pin("disa-cci", "2022-03-09",
        "3090de8bfc0a953df4303d555e9fcce2f87f13584c46ca3211ad5305832f789b", 3222554,
        _CAC + "disa-cci-list.xml" + _CAC_AT),
    Pin("gpos-srg", "V3R2",
        "916ab279d897df209f09669baf9325f834d5d2a5b3f07a12553da4b650fa2335", 587517,
        _CAC + "disa-os-srg-v3r2.xml" + _CAC_AT),
    Pin("ctr-srg", "V1R3",
        "6e13d142f9187274960738cfeaf9183c441f32c78b957d323942fa550bec0f93", 500708,
        _CAC + "disa-ctr-srg-v1r3.xml" + _CAC_AT),
    Pin("rhel9-stig", "V2R9",
        "452ecbc771e44067c1e62358e46f0c8e4f90988d56ea1c7daaf6991d1b28c211", 1397102,
        _CAC + "disa-stig-rhel9-v2r9-xccdf-manual.xml" + _CAC_AT),
    Pin("ubuntu2204-stig", "V2R8",
        "73c26b6592dfc02f7f0eb456e0f89143ea1e2d8af7ebc61bd8bfae01f5a4c9d8", 640043,
        _CAC + "disa-stig-ubuntu2204-v2r8-xccdf-manual.xml" + _CAC_AT),
)


def pins_for(name: str) -> tuple[Pin, ...]:
    """Every pinned release of one registry source."""
    return tuple(pin for pin in PINS if pin.name == name)


def pinned_release(name: str) -> str:
    """The newest release scc ships a pin for (the last one listed), or '' when none."""
    found = pins_for(name)
    return found[-1].release if found else ""


# --- the release a file states inside itself ----------------------------------------------------

_XML_VERSION = re.compile(rb"<(?:\w+:)?version\b[^>]*>\s*([^<\s][^<]*?)\s*</(?:\w+:)?version>")
_RELEASE_INFO = re.compile(rb"<(?:\w+:)?plain-text\b[^>]*\bid=[\"']release-info[\"'][^>]*>([^<]*)<")
_RELEASE_NUMBER = re.compile(r"Release:\s*(\d+)")
_HEAD = 64 * 1024     # DISA puts version and release-info before the first Group


def stated_release(kind: str, data: bytes) -> str:
    """The release the file says it is ('5.2.0', '2022-03-09', 'V3R2'), or '' when it says none."""
    if kind in ("catalog", "profile"):
        try:
            document = json.loads(data)
            body = next(iter(document.values())) if isinstance(document, dict) and document else {}
            return str(body.get("metadata", {}).get("version", "")).strip()
        except (ValueError, AttributeError, RecursionError, StopIteration):
            return ""
    head = data[:_HEAD]
    version = _XML_VERSION.search(head)
    if kind == "cci":
        return version.group(1).decode("utf-8", "replace").strip() if version else ""
    release = _RELEASE_INFO.search(head)
    number = _RELEASE_NUMBER.search(release.group(1).decode("utf-8", "replace")) if release else None
    major = version.group(1).decode("utf-8", "replace").strip() if version else ""
    if major and number:
        return f"V{major}R{number.group(1)}"
    return major


# --- the trust decision ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """What the pins say about one file: pinned, accepted before, or accepted now as new."""

    trust: str           # pinned | accepted
    release: str         # as stated inside the file
    note: str = ""       # a line to print when the file was accepted as new


def check_pin(name: str, kind: str, data: bytes, where: str, *, accept_new: bool = False,
              accepted: frozenset[str] = frozenset()) -> Verdict:
    """Accept ``data`` as source ``name`` only if pinned, accepted before, or ``accept_new``; else ContentError.

    ``accepted`` holds sha256s the user accepted earlier (from the content lock). The error names
    the file, the expected sha256 and size, and what was got.
    """
    import hashlib

    got = hashlib.sha256(data).hexdigest()
    release = stated_release(kind, data)
    known = pins_for(name)
    if any(pin.sha256 == got and pin.size == len(data) for pin in known):
        return Verdict("pinned", release)
    if got in accepted:
        return Verdict("accepted", release)
    same_release = [pin for pin in known if pin.release == release]
    if same_release:
        pin = same_release[0]
        problem = (f"{where}: does not match the pinned {name} {release}: expected sha256 {pin.sha256} "
                   f"({pin.size} bytes), got sha256 {got} ({len(data)} bytes)")
    else:
        expected = ", ".join(f"{p.release} sha256 {p.sha256}" for p in known) or "none"
        problem = (f"{where}: {name} release {release or '(not stated)'} is not a release scc has pinned "
                   f"(pinned: {expected}); got sha256 {got} ({len(data)} bytes)")
    if not accept_new:
        raise ContentError(f"{problem}; refused (check it with the publisher, then re-run with --accept-new)")
    return Verdict("accepted", release, f"accepted as new: {problem}")


__all__ = ["PINS", "Pin", "Verdict", "check_pin", "pinned_release", "pins_for", "stated_release"]
