"""The registry of official content sources: where each publication comes from and how it is recognised.

Every entry names the publisher's URL, what kind of document it is, the member to take out of a
DISA zip, and the stable file name it gets in the content cache. DISA removes superseded releases
from dl.dod.cyber.mil, so a pinned DISA URL eventually answers 404: override it with
``SCC_CONTENT_URL_<NAME>`` (e.g. ``SCC_CONTENT_URL_GPOS_SRG``) or ``scc content fetch --url NAME=URL``
and see docs/content.md. ``SCC_CONTENT_BASE_URL`` (https) or ``scc content fetch --mirror URL``
points every source at one mirror instead (the file name of each URL is kept); only a mirror named
with ``--mirror`` may be plain http on this machine or file://.

Each entry's ``release`` is the release its URL names, stated the way the file states it inside
itself (XCCDF ``V<version>R<release>``, OSCAL ``metadata.version``, the CCI list's version); it is
the release scc ships the sha256 of (scc/content/pins.py), and a test checks the two agree.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

NIST_BASE = "https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/SP800-53/rev5/json/"
DISA_BASE = "https://dl.dod.cyber.mil/wp-content/uploads/stigs/zip/"
XCCDF11 = "http://checklists.nist.gov/xccdf/1.1"
XCCDF12 = "http://checklists.nist.gov/xccdf/1.2"
CCI_NS = "http://iase.disa.mil/cci"
BASELINES = ("low", "moderate", "high", "privacy")
#: FedRAMP rev5 baselines (GSA/fedramp-automation, the release SOURCES.md records); their profiles
#: import the NIST rev5 catalog by a back-matter rlink, which resolves to the cached NIST catalog
FEDRAMP_BASE = ("https://raw.githubusercontent.com/GSA/fedramp-automation/"
                "c784140bc6d1ac9fa159aabc0e8a29e9aa2c63a9/dist/content/rev5/baselines/json/")
FEDRAMP_BASELINES = {"fedramp-low": "LOW", "fedramp-moderate": "MODERATE", "fedramp-high": "HIGH",
                     "fedramp-li-saas": "LI-SaaS"}
ALL_BASELINES = (*BASELINES, *FEDRAMP_BASELINES)


@dataclass(frozen=True)
class Source:
    """One official publication scc can use."""

    name: str                 # registry name: nist-800-53-rev5-catalog, gpos-srg, ...
    title: str
    url: str                  # the publisher's download URL
    kind: str                 # catalog | profile | cci | benchmark
    filename: str             # the file's name in the content cache
    member: str = ""          # glob of the file inside the downloaded zip ("" = not a zip)
    benchmark_id: str = ""    # XCCDF Benchmark/@id that identifies a DISA benchmark on import
    baseline: str = ""        # low | moderate | high | privacy for profiles
    release: str = ""         # the release the URL names, as the file states it (pinned in pins.py)
    note: str = ""            # how the URL was verified / what to check
    optional: bool = False    # fetched only when asked for (FedRAMP); its absence is not "content missing"

    @property
    def is_zip(self) -> bool:
        """True when the publisher's download is a zip and the file is one member of it."""
        return bool(self.member)


def _profile(level: str) -> Source:
    upper = level.upper()
    file = f"NIST_SP-800-53_rev5_{upper}-baseline_profile.json"
    title = "PRIVACY baseline" if level == "privacy" else f"{upper} impact baseline"
    return Source(
        name=f"nist-800-53-rev5-{level}", title=f"NIST SP 800-53B rev5 {title} (OSCAL profile)",
        url=NIST_BASE + file, kind="profile", filename=file, baseline=level, release="5.1.1+u4",
        note="NIST's main branch; a newer release there needs --accept-new",
    )


def _fedramp_profile(level: str) -> Source:
    upper = FEDRAMP_BASELINES[level]
    file = f"FedRAMP_rev5_{upper}-baseline_profile.json"
    return Source(
        name=f"fedramp-rev5-{level.removeprefix('fedramp-')}", title=f"FedRAMP rev5 {upper} baseline (OSCAL profile)",
        url=FEDRAMP_BASE + file, kind="profile", filename=file, baseline=level,
        release="fedramp2.1.0-oscal1.0.4", optional=True,
        note="GSA/fedramp-automation at the commit of the fedramp2.1.0 release; needs the NIST rev5 catalog",
    )


SOURCES: tuple[Source, ...] = (
    Source(
        name="nist-800-53-rev5-catalog", title="NIST SP 800-53 rev5 catalog (OSCAL JSON)",
        url=NIST_BASE + "NIST_SP-800-53_rev5_catalog.json", kind="catalog",
        filename="NIST_SP-800-53_rev5_catalog.json", release="5.2.0",
        note="NIST's main branch; a newer release there needs --accept-new",
    ),
    *(_profile(level) for level in BASELINES),
    *(_fedramp_profile(level) for level in FEDRAMP_BASELINES),
    Source(
        name="disa-cci", title="DISA Control Correlation Identifier (CCI) list",
        url=DISA_BASE + "U_CCI_List.zip", kind="cci", filename="U_CCI_List.xml", member="U_CCI_List.xml",
        release="2022-03-09", note="DISA re-publishes U_CCI_List.zip under one name; a newer list needs --accept-new",
    ),
    Source(
        name="gpos-srg", title="DISA General Purpose Operating System SRG",
        url=DISA_BASE + "U_GPOS_SRG_V3R2_Manual-xccdf.zip", kind="benchmark",
        filename="gpos-srg-xccdf.xml", member="*GPOS_SRG*Manual-xccdf.xml",
        benchmark_id="General_Purpose_Operating_System", release="V3R2",
        note="zip name in DISA's U_GPOS_SRG_V<v>R<r>_Manual-xccdf.zip pattern (V3R3 is listed by DISA's "
             "index, but scc pins V3R2: fetch V3R3 with --url and --accept-new)",
    ),
    Source(
        name="ctr-srg", title="DISA Container Platform SRG",
        url=DISA_BASE + "U_Container_Platform_V1R3_SRG.zip", kind="benchmark",
        filename="ctr-srg-xccdf.xml", member="*Container_Platform*xccdf.xml",
        benchmark_id="Container_Platform_SRG", release="V1R3",
        note="zip name as cited by ComplianceAsCode; later releases are named U_Container_Platform_SRG_V2Rn",
    ),
    Source(
        name="rhel9-stig", title="DISA Red Hat Enterprise Linux 9 STIG",
        url=DISA_BASE + "U_RHEL_9_V2R9_STIG.zip", kind="benchmark",
        filename="rhel9-stig-xccdf.xml", member="*RHEL_9_STIG*Manual-xccdf.xml",
        benchmark_id="RHEL_9_STIG", release="V2R9",
    ),
    Source(
        name="ubuntu2204-stig", title="DISA Canonical Ubuntu 22.04 LTS STIG",
        url=DISA_BASE + "U_CAN_Ubuntu_22-04_LTS_V2R8_STIG.zip", kind="benchmark",
        filename="ubuntu2204-stig-xccdf.xml", member="*Ubuntu_22-04_LTS_STIG*Manual-xccdf.xml",
        benchmark_id="CAN_Ubuntu_22-04_LTS_STIG", release="V2R8",
        note="V2R9 exists (U_CAN_Ubuntu_22-04_LTS_V2R9_STIG.zip) but scc pins V2R8: fetch it with --url and --accept-new",
    ),
)

BY_NAME: dict[str, Source] = {source.name: source for source in SOURCES}
CATALOG = "nist-800-53-rev5-catalog"
#: the sources a default fetch gets and whose absence is reported (FedRAMP's only when asked for)
DEFAULT_SOURCES: tuple[Source, ...] = tuple(source for source in SOURCES if not source.optional)
CCI = "disa-cci"


def baseline_source(level: str) -> Source | None:
    """The profile source of a baseline name: low | moderate | high | privacy | fedramp-<level>."""
    level = level.strip().lower()
    if level in FEDRAMP_BASELINES:
        return BY_NAME.get(f"fedramp-rev5-{level.removeprefix('fedramp-')}")
    return BY_NAME.get(f"nist-800-53-rev5-{level}")


def is_fedramp(baseline: str | None) -> bool:
    """True when the baseline name is one of FedRAMP's (its OSCAL outputs then carry FedRAMP metadata)."""
    return baseline is not None and baseline.strip().lower() in FEDRAMP_BASELINES


def benchmark_names() -> list[str]:
    return [source.name for source in SOURCES if source.kind == "benchmark"]


def source_by_benchmark_id(benchmark_id: str) -> Source | None:
    for source in SOURCES:
        if source.benchmark_id and source.benchmark_id == benchmark_id:
            return source
    return None


def env_name(name: str) -> str:
    return "SCC_CONTENT_URL_" + name.upper().replace("-", "_")


def effective_url(source: Source, overrides: Mapping[str, str] | None = None) -> str:
    """The URL to download from: an explicit override, SCC_CONTENT_URL_<NAME>, SCC_CONTENT_BASE_URL, or the registry."""
    if overrides and source.name in overrides:
        return overrides[source.name]
    own = os.environ.get(env_name(source.name))
    if own:
        return own
    base = os.environ.get("SCC_CONTENT_BASE_URL")
    if base:
        return base.rstrip("/") + "/" + source.url.rsplit("/", 1)[-1]
    return source.url
