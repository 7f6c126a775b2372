"""ImageFacts: everything scc knows about one container image, each fact with its evidence.

This module knows nothing of CycloneDX, Grype, OSCAL or any other file format. Readers in
scc/facts/ build these objects; the engine and writers only read them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from scc.facts.identity import component_key


@dataclass(frozen=True, order=True)
class Evidence:
    """Where a fact came from: the input file, its sha256 and the exact spot inside it.

    ``pointer`` is an RFC 6901 JSON pointer for JSON inputs, an XPath for XML inputs, a
    ``line N`` reference for line-oriented inputs, or a path inside an image filesystem.
    """

    source: str
    sha256: str
    pointer: str = ""

    def cite(self) -> str:
        """The evidence as one citation: 'source#pointer', or the source alone when there is no pointer."""
        return f"{self.source}#{self.pointer}" if self.pointer else self.source


@dataclass(frozen=True)
class InputFile:
    """One input as scc read it: the reader that claimed it and what it contributed."""

    path: str
    sha256: str
    size: int
    format: str
    format_version: str = ""
    tool: str = ""
    counts: tuple[tuple[str, int], ...] = ()


class Severity(str, Enum):
    """A vulnerability or check severity in one vocabulary, whatever words the scanner used."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NEGLIGIBLE = "negligible"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Order for comparisons and sorting: critical 5, high 4 ... negligible 1, unknown 0."""
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: object) -> Severity:
        """Normalise any scanner's vocabulary: 'Critical', 'CRITICAL', 'moderate', 'important', 'error'..."""
        if isinstance(text, Severity):
            return text
        word = str(text or "").strip().lower()
        return _SEVERITY_WORDS.get(word, cls.UNKNOWN)

    @classmethod
    def from_cvss(cls, score: float | None) -> Severity:
        """The CVSS qualitative rating of a base score (9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low,
        0 negligible); unknown without a score."""
        if score is None:
            return cls.UNKNOWN
        if score >= 9.0:
            return cls.CRITICAL
        if score >= 7.0:
            return cls.HIGH
        if score >= 4.0:
            return cls.MEDIUM
        if score > 0.0:
            return cls.LOW
        return cls.NEGLIGIBLE


_SEVERITY_RANK = {
    Severity.CRITICAL: 5, Severity.HIGH: 4, Severity.MEDIUM: 3,
    Severity.LOW: 2, Severity.NEGLIGIBLE: 1, Severity.UNKNOWN: 0,
}
_SEVERITY_WORDS = {
    "critical": Severity.CRITICAL, "crit": Severity.CRITICAL,
    "high": Severity.HIGH, "important": Severity.HIGH, "error": Severity.HIGH,
    "medium": Severity.MEDIUM, "moderate": Severity.MEDIUM, "warning": Severity.MEDIUM,
    "low": Severity.LOW, "note": Severity.LOW,
    "negligible": Severity.NEGLIGIBLE, "none": Severity.NEGLIGIBLE, "info": Severity.NEGLIGIBLE,
    "informational": Severity.NEGLIGIBLE,
}


class FindingState(str, Enum):
    """Where a vulnerability stands after scanners and VEX have spoken."""

    AFFECTED = "affected"                    # open: counts against SI-2 / RA-5
    UNDER_INVESTIGATION = "under_investigation"  # open until VEX says otherwise
    NOT_AFFECTED = "not_affected"            # VEX says the product is not affected
    FIXED = "fixed"                          # VEX or scanner says it is fixed in this image

    @property
    def is_open(self) -> bool:
        """True while the finding counts against the image: affected or under investigation."""
        return self in (FindingState.AFFECTED, FindingState.UNDER_INVESTIGATION)


@dataclass(frozen=True)
class ImageIdentity:
    """Which image the facts are about: name, tag, digest, platform and creation time, with their evidence."""

    name: str = ""
    tag: str = ""
    digest: str = ""
    os: str = ""
    architecture: str = ""
    created: datetime | None = None
    evidence: tuple[Evidence, ...] = ()

    @property
    def reference(self) -> str:
        """name[:tag][@digest] ('unnamed-image' when no input named it)."""
        ref = self.name or "unnamed-image"
        if self.tag:
            ref += f":{self.tag}"
        if self.digest:
            ref += f"@{self.digest}"
        return ref


@dataclass(frozen=True)
class ExternalReference:
    """A link an SBOM gives for a component, as written: its type in the SBOM's own vocabulary (CycloneDX
    externalReferences type: vcs, website, distribution ...; SPDX field: downloadLocation, homepage) and URL."""

    type: str
    url: str
    evidence: tuple[Evidence, ...] = ()


@dataclass
class Component:
    """One software component an SBOM (or another input) lists: name, version, purl, licenses, hashes,
    supplier."""

    name: str
    version: str = ""
    type: str = ""               # library, application, operating-system, apk, deb, rpm, ...
    purl: str = ""
    cpes: tuple[str, ...] = ()
    licenses: tuple[str, ...] = ()
    hashes: dict[str, str] = field(default_factory=dict)   # algorithm (lower-case, e.g. sha-256) -> hex
    supplier: str = ""
    bom_ref: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    external_references: tuple[ExternalReference, ...] = ()   # vcs / website / download links, as written

    @property
    def key(self) -> str:
        """Identity across inputs: the purl without qualifiers, else type/name@version."""
        return component_key(self)


@dataclass(frozen=True)
class CvssScore:
    """One CVSS score of a finding as a source gave it: version, base score (None when only a vector),
    vector, source."""

    version: str          # "2.0", "3.0", "3.1", "4.0"
    score: float | None
    vector: str = ""
    source: str = ""      # nvd, ghsa, vendor name ...


@dataclass(frozen=True)
class VexStatement:
    """One VEX statement about one vulnerability in one product (or the whole image)."""

    vulnerability: str
    status: FindingState
    products: tuple[str, ...] = ()   # purls / product ids the statement is about; empty = the image
    justification: str = ""
    impact_statement: str = ""
    action_statement: str = ""
    author: str = ""
    timestamp: datetime | None = None
    document: str = ""               # the VEX document's id / URL
    format: str = ""                 # openvex, cyclonedx-vex, csaf-vex
    evidence: tuple[Evidence, ...] = ()
    aliases: tuple[str, ...] = ()    # other ids of the vulnerability the document names (GHSA, SNYK-...)
    # CycloneDX affects[].versions: (purl-spec "vers:..." range or "=version", affected/unaffected/unknown)
    version_ranges: tuple[tuple[str, str], ...] = ()
    cwes: tuple[str, ...] = ()       # weaknesses the document names for the vulnerability ("CWE-506"), as written


@dataclass
class Finding:
    """One vulnerability in one installed component, however many scanners reported it."""

    id: str                                  # CVE id when known, else the scanner's id
    package: str = ""
    installed_version: str = ""
    purl: str = ""
    aliases: set[str] = field(default_factory=set)
    severity: Severity = Severity.UNKNOWN
    cvss: list[CvssScore] = field(default_factory=list)
    fixed_versions: list[str] = field(default_factory=list)
    state: FindingState = FindingState.AFFECTED
    title: str = ""
    description: str = ""
    urls: list[str] = field(default_factory=list)
    published: datetime | None = None
    first_seen: datetime | None = None       # when the scan that reported it ran (the earliest such scan)
    fix_available_since: datetime | None = None   # when a fix became available, where a scanner states it
    sources: set[str] = field(default_factory=set)   # scanner names: grype, trivy, ...
    evidence: list[Evidence] = field(default_factory=list)
    vex: VexStatement | None = None
    vex_conflicts: list[VexStatement] = field(default_factory=list)
    cwes: list[str] = field(default_factory=list)       # weaknesses the scanner names ("CWE-506"), as written
    #: the advisory database each scanner names for it, as written: grype's namespace
    #: ("github:language:javascript"), Trivy's DataSource.ID ("ghsa"), CycloneDX source.name ("OSV")
    databases: list[str] = field(default_factory=list)
    #: the engine's decision that this is a known malicious package (scc.engine.malicious); never set by a reader
    malicious: MaliciousMark | None = None

    @property
    def fix_available(self) -> bool:
        """A fixed version newer than the installed one exists (ecosystem rules; the scanner's word when
        the versions cannot be compared)."""
        if not self.fixed_versions:
            return False
        from scc.facts.versions import newer_fix_exists

        newer = newer_fix_exists(self.purl, self.installed_version, self.fixed_versions)
        return True if newer is None else newer

    @property
    def is_open(self) -> bool:
        """An open finding: the one definition every check, gate and view uses. Open while its state is
        (affected / under investigation) and no VEX statement closed it, or while the engine holds a
        malicious package open that a VEX statement or the scanner alone would have closed."""
        if self.state.is_open and (self.vex is None or self.vex.status.is_open):
            return True
        return self.malicious is not None and self.malicious.held_open

    @property
    def max_cvss(self) -> float | None:
        """The highest CVSS base score any source gave this finding, or None."""
        scores = [c.score for c in self.cvss if c.score is not None]
        return max(scores) if scores else None


@dataclass(frozen=True)
class MaliciousMark:
    """Why the engine treats a finding as a known malicious package, and what became of a closure.

    Set by scc.engine.malicious from the policy table (controls/malicious.yaml), on every run, for every
    finding (None when not malicious); readers never set it. A malicious package is CAT I whatever the
    scanner rated it (``scanner_severity`` keeps the scanner's word), and a VEX statement or the scanner's
    own not-affected state closes it only with an organisation override naming an approver.
    """

    basis: tuple[str, ...]                  # each signal, in words: "id MAL-2025-1 (prefix MAL-)", "CWE-506"
    scanner_severity: str = "unknown"       # the severity the scanner gave it
    evidence: tuple[Evidence, ...] = ()     # where each signal is written
    closure_set_aside: str = ""             # the closure (VEX / scanner state) that does not count, in words
    accepted_by: str = ""                   # the override that let a closure stand: who approved it, until when
    override_entry: str = ""                # that override's file and entry ("overrides.yaml overrides[2]")

    @property
    def held_open(self) -> bool:
        """A closure was set aside: the finding stays open."""
        return bool(self.closure_set_aside) and not self.accepted_by

    @property
    def severity_label(self) -> str:
        """How every view shows its severity: the scanner's word, then malicious (CAT I)."""
        return f"{self.scanner_severity}, malicious package (CAT I)"

    @property
    def sentence(self) -> str:
        """What every view says of it: why it is treated as malicious, and what became of a closure."""
        text = f"Known malicious package ({'; '.join(self.basis)})."
        if self.closure_set_aside and self.accepted_by:
            return f"{text} Closed by the {self.closure_set_aside}, accepted by override {self.override_entry} " \
                   f"{self.accepted_by}."
        if self.closure_set_aside:
            return (f"{text} The {self.closure_set_aside} does not close it: a malicious package is closed only "
                    "by an organisation override naming an approver.")
        return text


@dataclass
class ImageConfig:
    """The runtime configuration of the image. Environment variable NAMES only, never values."""

    user: str = ""
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env_names: tuple[str, ...] = ()
    exposed_ports: tuple[str, ...] = ()      # "80/tcp"
    healthcheck: tuple[str, ...] | None = None   # None = not declared; ("NONE",) = disabled
    labels: dict[str, str] = field(default_factory=dict)
    workdir: str = ""
    volumes: tuple[str, ...] = ()
    stop_signal: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    field_evidence: dict[str, Evidence] = field(default_factory=dict)   # "user" -> where it was read


@dataclass(frozen=True)
class ScanRecord:
    """A vulnerability scan that was run against the image (RA-5: a scan exists, and how old it is)."""

    scanner: str
    scanner_version: str = ""
    timestamp: datetime | None = None
    db_built: datetime | None = None
    target: str = ""
    finding_count: int = 0
    evidence: tuple[Evidence, ...] = ()
    kinds: tuple[str, ...] = ()          # what the report evidently holds: vuln, secret, misconfig, license
    artifact_type: str = ""              # the scanner's word for what it scanned: container_image, filesystem...


@dataclass(frozen=True)
class SecretFinding:
    """A secret a scanner found in a file of the image. The matched text and the code lines around it
    are never kept: they hold the secret, however redacted."""

    rule_id: str
    category: str = ""
    severity: Severity = Severity.UNKNOWN
    title: str = ""
    path: str = ""               # the file inside the image
    line: int = 0                # first line of the match; 0 = not given
    scanner: str = ""
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Misconfiguration:
    """A configuration check (Dockerfile, Kubernetes, image config) that failed in a scanner's run."""

    id: str                      # DS002, AVD-DS-0002, KSV001 ...
    title: str = ""
    severity: Severity = Severity.UNKNOWN
    status: str = "FAIL"
    path: str = ""               # the file or artifact the check examined
    message: str = ""
    resolution: str = ""
    scanner: str = ""
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class SbomRecord:
    """An SBOM document for the image (CM-8: an inventory exists, who made it, how complete)."""

    format: str             # cyclonedx, spdx, syft
    spec_version: str = ""
    tool: str = ""
    timestamp: datetime | None = None
    component_count: int = 0
    serial: str = ""
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Provenance:
    """SLSA provenance (or a verification summary) carried by an in-toto attestation, as recorded.

    The SLSA Build level it supports is the engine's judgement (scc.engine.slsa.assess_level)."""

    predicate_type: str
    slsa_version: str = ""            # "0.1", "0.2", "1.0"
    builder_id: str = ""
    build_type: str = ""
    source_repository: str = ""
    source_digest: str = ""
    materials: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()    # "name@sha256:..."
    started: datetime | None = None
    finished: datetime | None = None
    envelope: str = ""                # plain, dsse, sigstore-bundle
    signed: bool = False
    signature_verified: bool | None = None   # None = no key supplied / not checkable offline
    signature_detail: str = ""
    verification_result: str = ""     # a verification summary's verificationResult (PASSED / FAILED), as written
    verification_claim: str = ""      # a verification summary: who verified what, when, against which policy
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class BaseImageAnnotation:
    """The base image an image's manifest (or config label) names, as written:
    ``org.opencontainers.image.base.name`` and ``org.opencontainers.image.base.digest``."""

    name: str
    digest: str = ""
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class SignatureCheck:
    """A signature over an artifact of this image and the result of checking it."""

    kind: str                    # dsse, cosign-bundle, ...
    subject: str = ""
    key_id: str = ""
    verified: bool | None = None     # None = present but not checkable (no key), or no signature at all
    detail: str = ""
    evidence: tuple[Evidence, ...] = ()
    signed: bool = True              # False: the envelope carries no signature (e.g. "signatures": [])


@dataclass(frozen=True)
class FipsModule:
    """A FIPS 140 crypto module found in the image (filesystem) or named by the SBOM."""

    name: str
    version: str = ""
    kind: str = ""               # openssl-fips-provider, libgcrypt, nss, go-boringcrypto, go-fips140, package
    path: str = ""
    activated: bool | None = None     # None = cannot tell from the facts
    activation_detail: str = ""
    evidence: tuple[Evidence, ...] = ()
    integrity: str = ""               # the module's integrity check found ('' = none: it cannot pass its self-test)


@dataclass(frozen=True)
class FileEntry:
    """One file of the image filesystem a check cares about: path, permission mode, owner, evidence."""

    path: str
    mode: int = 0
    owner: str = ""
    evidence: tuple[Evidence, ...] = ()
    uid: int = -1                     # numeric owner (-1: not recorded)
    gid: int = -1


@dataclass(frozen=True)
class ConfigSetting:
    """One setting read from a configuration file of the image, where it was read (file and line)."""

    file: str                         # /etc/ssh/sshd_config
    line: int
    key: str                          # as the file's own syntax names it (e.g. 'PermitEmptyPasswords')
    value: str = ""

    def where(self) -> str:
        """'file line N' (the file alone when the line is not known), for reasons and citations."""
        return f"{self.file} line {self.line}" if self.line else self.file


@dataclass(frozen=True)
class PackageSigning:
    """How one package manager in the image is configured to verify package signatures."""

    manager: str                                  # apt, dnf, yum, apk
    keys: tuple[str, ...] = ()                    # trusted key files present
    bypasses: tuple[ConfigSetting, ...] = ()      # settings that switch verification off
    gaps: tuple[ConfigSetting, ...] = ()          # verification left to a default that does not check
    sources: tuple[str, ...] = ()                 # configuration / repository files read
    evidence: tuple[Evidence, ...] = ()


@dataclass
class FilesystemFacts:
    """What the image's own filesystem shows (the strongest evidence for CM-7, AC-6, SC-13)."""

    root: str = ""
    file_count: int = 0
    os_release: dict[str, str] = field(default_factory=dict)
    #: every file, or link to a file, in a bin/ or sbin/ directory (what PATH runs), in walk order; which
    #: are shells, package managers or compilers the engine decides (controls/configuration.yaml executables:)
    executables: list[FileEntry] = field(default_factory=list)
    setuid: list[FileEntry] = field(default_factory=list)
    setgid: list[FileEntry] = field(default_factory=list)
    world_writable: list[FileEntry] = field(default_factory=list)
    login_users: list[tuple[str, str]] = field(default_factory=list)   # (user, shell)
    accounts: list[tuple[str, int, str]] = field(default_factory=list)  # (user, uid, shell)
    crypto_policy: str = ""
    fips_markers: dict[str, str] = field(default_factory=dict)        # file path -> what it says
    config_files: dict[str, str] = field(default_factory=dict)        # path -> short fact (audit/login/ssh)
    evidence: list[Evidence] = field(default_factory=list)
    # logon (scc.facts.image.logon): services that accept a logon, their autologin-relevant settings, PAM
    logon_services: dict[str, list[str]] = field(default_factory=dict)  # sshd/gdm/lightdm/sddm/getty -> paths
    sshd_settings: dict[str, ConfigSetting] = field(default_factory=dict)  # lower-case key -> effective
    autologin_settings: list[ConfigSetting] = field(default_factory=list)  # display manager / getty keys
    pam_auth: list[ConfigSetting] = field(default_factory=list)   # auth/account lines of /etc/pam.d files
    faillock: dict[str, ConfigSetting] = field(default_factory=dict)  # /etc/security/faillock.conf
    # package signature verification (scc.facts.image.pkgsign)
    package_signing: list[PackageSigning] = field(default_factory=list)
    # system-software paths not owned by root, or group/world-writable (cap 2000; scc.facts.image.fs_scan)
    system_write_access: list[FileEntry] = field(default_factory=list)


@dataclass(frozen=True)
class XccdfRuleResult:
    """One rule result from an existing STIG/SCAP scan of the image (OpenSCAP, DISA SCC)."""

    rule_id: str                  # xccdf_mil.disa.stig_rule_SV-230221r858734_rule or SV-...
    result: str                   # pass, fail, notapplicable, notchecked, error, unknown, informational...
    version: str = ""             # SRG-OS-000480-GPOS-00227 / RHEL-08-010000
    group_id: str = ""            # V-230221
    srg_id: str = ""              # the SRG requirement a STIG rule implements (DISA puts it in the Group title)
    severity: str = ""
    title: str = ""
    ccis: tuple[str, ...] = ()       # as the scan gives them; the engine maps them to 800-53 (scc/engine/cci.py)
    benchmark: str = ""
    tool: str = ""
    timestamp: datetime | None = None
    message: str = ""
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class AttestationRecord:
    """One in-toto statement of an image's attestation set, as read: what it is about and how it was signed.

    ``evidence[0].pointer`` is the spot the attestation occupies in its file (the envelope, a JSON-lines
    line, an OCI referrer blob): every fact read from inside it has evidence at or under that spot, which is
    how an attestation whose subjects are not the image is set aside with all it contributed
    (scc.facts.attestation_sets). Whether its subjects name the image is compared there and by the engine.
    """

    predicate_type: str
    kind: str = ""                    # sbom, vex, provenance, verification-summary, fips, stig, test, secrets, ...
    subjects: tuple[str, ...] = ()    # "name@sha256:<hex>" as the statement names them
    envelope: str = "plain"           # plain, dsse, sigstore-bundle
    signed: bool = False
    signature_verified: bool | None = None
    signature_detail: str = ""
    summary: str = ""                 # what the predicate says, in a phrase (counts, profile, result)
    excluded: str = ""                # why its facts were set aside ('' = used)
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class AttestedFipsModule:
    """A cryptographic module a vendor's FIPS attestation names, exactly as written (the CMVP lookup is the
    engine's, from controls/fips-modules.yaml)."""

    name: str
    version: str = ""
    package: str = ""
    certification: str = ""           # "CMVP #4985", as written
    certification_url: str = ""
    standard: str = ""                # FIPS 140-2 / FIPS 140-3, as written
    status: str = ""                  # active / historical / revoked, as written
    sunset_date: str = ""
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class VendorTestRun:
    """One test run a vendor attests for the image (in-toto test-result, or a CTRF report), as written."""

    predicate_type: str
    result: str = ""                  # PASSED / WARNED / FAILED (in-toto), or '' when only counts are given
    tool: str = ""
    total: int | None = None
    passed: int | None = None
    failed: int | None = None
    skipped: int | None = None
    failed_tests: tuple[str, ...] = ()
    configuration: tuple[str, ...] = ()   # the test configuration's descriptors ("name digest" / uri)
    url: str = ""
    started: datetime | None = None
    finished: datetime | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class PriorDetection:
    """A finding's first detection as an earlier scc package recorded it (``--previous DIR``)."""

    identity: str                # the finding identity scc writes (vulnerability id | package purl or name)
    weakness: str                # the vulnerability id
    package: str
    first_detected: datetime
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class ManifestImage:
    """An image reference a deployment manifest names (any container, init or ephemeral)."""

    reference: str
    workload: str        # "<Kind>/<namespace>/<name>"
    container: str
    evidence: Evidence


@dataclass(frozen=True)
class SecurityContextFacts:
    """A pod's or a container's ``securityContext`` as a manifest writes it (None / () / '' = not written).

    Which settings apply to a container (its own over the pod's) and what they amount to is the engine's
    decision; ``where`` maps each written field ('privileged', 'capabilities.drop', ...) to its YAML path."""

    privileged: bool | None = None
    allow_privilege_escalation: bool | None = None
    read_only_root_filesystem: bool | None = None
    run_as_non_root: bool | None = None
    run_as_user: int | None = None
    capabilities_add: tuple[str, ...] = ()
    capabilities_drop: tuple[str, ...] = ()
    seccomp_profile: str = ""          # seccompProfile.type as written: RuntimeDefault, Localhost, Unconfined
    where: dict[str, Evidence] = field(default_factory=dict)


@dataclass(frozen=True)
class ManifestContainer:
    """One container of a workload's pod template, as written: image reference, securityContext, resources."""

    name: str
    image: str
    role: str = "container"            # container, init, ephemeral
    security: SecurityContextFacts = field(default_factory=SecurityContextFacts)
    limits: dict[str, str] = field(default_factory=dict)     # resources.limits: resource -> quantity as written
    requests: dict[str, str] = field(default_factory=dict)   # resources.requests
    evidence: Evidence | None = None   # the container entry (doc N: /spec/template/spec/containers/0)
    where: dict[str, Evidence] = field(default_factory=dict)  # 'image', 'limits.memory', ... -> YAML path


@dataclass(frozen=True)
class ManifestWorkload:
    """A Pod-bearing Kubernetes object (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod ...) as written."""

    kind: str
    name: str
    namespace: str = ""                # '' = not written (the namespace it is applied to)
    api_version: str = ""
    pod_labels: dict[str, str] = field(default_factory=dict)   # the pod template's metadata.labels
    host_network: bool | None = None
    host_pid: bool | None = None
    host_ipc: bool | None = None
    host_path_volumes: tuple[tuple[str, str], ...] = ()         # (volume name, hostPath.path)
    automount_service_account_token: bool | None = None
    service_account_name: str = ""
    security: SecurityContextFacts = field(default_factory=SecurityContextFacts)   # the pod's securityContext
    containers: tuple[ManifestContainer, ...] = ()
    template: str = ""                 # the Helm template that rendered it ('# Source:' comment), if any
    evidence: Evidence | None = None   # the pod spec (doc N: /spec/template/spec)
    where: dict[str, Evidence] = field(default_factory=dict)  # 'hostNetwork', 'volumes.data', ... -> YAML path

    @property
    def ref(self) -> str:
        """'<Kind>/<namespace>/<name>' ('(unset)' for a namespace the manifest does not write)."""
        return f"{self.kind}/{self.namespace or '(unset)'}/{self.name}"


@dataclass(frozen=True)
class ManifestNetworkPolicy:
    """A NetworkPolicy as written: the pods it selects and the policy types it lists."""

    name: str
    namespace: str = ""
    match_labels: dict[str, str] = field(default_factory=dict)
    match_expressions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()   # (key, operator, values)
    policy_types: tuple[str, ...] = ()   # as written ('' / () = not written)
    ingress_rules: int = 0
    egress_rules: int = 0
    evidence: Evidence | None = None


@dataclass(frozen=True)
class ManifestServiceAccount:
    """A ServiceAccount as written (its automountServiceAccountToken applies to pods that do not set theirs)."""

    name: str
    namespace: str = ""
    automount_service_account_token: bool | None = None
    evidence: Evidence | None = None


@dataclass(frozen=True)
class ScorecardCheck:
    """One check of an OpenSSF Scorecard result as written: its name, score (0-10; -1 = inconclusive, the
    check could not decide) and reason."""

    name: str
    score: int
    reason: str = ""
    documentation: str = ""          # documentation.url
    details: tuple[str, ...] = ()    # the detail lines, when the run was made with --show-details
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class ScorecardResult:
    """An OpenSSF Scorecard result for one source repository, as the tool or its API wrote it.

    Which components it describes is the engine's decision (scc.engine.scorecard), never the reader's."""

    repository: str                  # repo.name as written: github.com/ORG/REPO
    commit: str = ""                 # repo.commit: the revision analysed
    date: datetime | None = None
    scorecard_version: str = ""
    scorecard_commit: str = ""
    score: float | None = None       # the aggregate score as written (-1 when every check was inconclusive)
    checks: tuple[ScorecardCheck, ...] = ()
    evidence: tuple[Evidence, ...] = ()


@dataclass
class ImageFacts:
    """Everything known about one image, merged from all inputs."""

    identity: ImageIdentity = field(default_factory=ImageIdentity)
    components: list[Component] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    config: ImageConfig | None = None
    scans: list[ScanRecord] = field(default_factory=list)
    sboms: list[SbomRecord] = field(default_factory=list)
    vex: list[VexStatement] = field(default_factory=list)
    provenance: list[Provenance] = field(default_factory=list)
    signatures: list[SignatureCheck] = field(default_factory=list)
    filesystem: FilesystemFacts | None = None
    fips_modules: list[FipsModule] = field(default_factory=list)
    xccdf_results: list[XccdfRuleResult] = field(default_factory=list)
    secrets: list[SecretFinding] = field(default_factory=list)
    misconfigurations: list[Misconfiguration] = field(default_factory=list)
    relationships: list[tuple[str, str, str]] = field(default_factory=list)  # SBOM (from, type, to)
    inputs: list[InputFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)       # conflicts and caveats found while merging
    prior_detections: list[PriorDetection] = field(default_factory=list)   # from a previous package
    base_image_annotations: list[BaseImageAnnotation] = field(default_factory=list)   # OCI base.name/.base.digest
    # Kubernetes manifests (scc.facts.deploy.kubernetes): workloads, network policies, service accounts
    workloads: list[ManifestWorkload] = field(default_factory=list)
    network_policies: list[ManifestNetworkPolicy] = field(default_factory=list)
    service_accounts: list[ManifestServiceAccount] = field(default_factory=list)
    # scc packages found among the inputs and passed over: told to the user, never recorded in a package
    # (so a package written beside its evidence comes out the same on every run)
    passed_over: list[str] = field(default_factory=list)
    manifest_images: list[ManifestImage] = field(default_factory=list)
    # vendor attestation sets (scc.facts.attestation_sets): every statement read, the FIPS modules and test
    # runs vendors attest
    attestations: list[AttestationRecord] = field(default_factory=list)
    attested_fips_modules: list[AttestedFipsModule] = field(default_factory=list)
    test_results: list[VendorTestRun] = field(default_factory=list)
    scorecards: list[ScorecardResult] = field(default_factory=list)   # OpenSSF Scorecard results, as read

    @property
    def open_findings(self) -> list[Finding]:
        """The findings still open after VEX (affected or under investigation)."""
        return [f for f in self.findings if f.is_open]
