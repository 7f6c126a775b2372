"""Issue #10 item 3: every shipped rule can go both ways.

``VERDICTS`` maps every shipped rule id to the verdicts it can give, each with a builder that writes
real-looking inputs (root filesystem trees from tests/rootfs_trees.py, the demo image's own SBOM, scan,
VEX, provenance and image config with one thing changed, Trivy outputs from tests/data/trivy) and reads
them with scc's readers. A rule missing from the table, or a rule that cannot reach satisfied and
not-satisfied without saying why (``CANNOT``), fails the suite: a new rule must come with its cases.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from rootfs_trees import (
    COMMON_AUTH_FAILLOCK,
    ELF_FILE,
    FAILLOCK_DISA,
    SSHD_CONFIG_DEBIAN,
    SSHD_HARDENED,
    debian_files,
    facts_of,
    image,
    tree,
    ubi_files,
)

from scc.assessment import DEFAULT_SLA_DAYS
from scc.engine.checks import CheckContext
from scc.engine.evaluate import evaluate_rules
from scc.engine.rules import load_rule_packs
from scc.facts import read_inputs
from scc.facts.context import ReadContext
from scc.facts.model import ImageFacts
from scc.facts.provenance.signing import load_verification_keys

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo-image"
TRIVY = Path(__file__).parent / "data" / "trivy" / "image-secrets-misconfig.trivy.json"
MALICIOUS = Path(__file__).parent / "data" / "malicious"
NOW = datetime.fromisoformat("2026-12-01T00:00:00+00:00")
Builder = Callable[[Path], ImageFacts]
S, NS, P, M, NA = "satisfied", "not-satisfied", "partial", "manual", "not-applicable"


# -- input writers -----------------------------------------------------------------------------
def demo_json(tmp: Path, name: str, change: Callable[[dict], None] | None = None, target: str = "") -> Path:
    """One of the demo image's inputs, with ``change`` applied to its JSON."""
    data = json.loads((DEMO / name).read_text())
    if change:
        change(data)
    path = tmp / (target or name)
    path.write_text(json.dumps(data))
    return path


def read(*paths: Path, context: ReadContext | None = None) -> ImageFacts:
    return read_inputs([str(p) for p in paths], context=context)


def config_with(**fields) -> Callable[[Path], ImageFacts]:
    def build(tmp: Path) -> ImageFacts:
        return read(demo_json(tmp, "image-config.json", lambda d: d["config"].update(fields)))
    return build


def config_without(*names: str) -> Builder:
    def build(tmp: Path) -> ImageFacts:
        return read(demo_json(tmp, "image-config.json", lambda d: [d["config"].pop(n, None) for n in names]))
    return build


def sbom_changed(change: Callable[[dict], None] | None = None) -> Builder:
    return lambda tmp: read(demo_json(tmp, "sbom.cdx.json", change))


def fs_tree(changes: dict | None = None, drop: tuple[str, ...] = ()) -> Builder:
    def build(tmp: Path) -> ImageFacts:
        files = {k: v for k, v in debian_files().items() if not k.startswith(drop)}
        return facts_of(tree(tmp, files, changes))
    return build


def fs_image(config: dict, changes: dict | None = None, owners: dict | None = None) -> Builder:
    return lambda tmp: facts_of(image(tmp, debian_files(), changes, config=config, owners=owners))


def nothing(tmp: Path) -> ImageFacts:
    return ImageFacts()


def marked(facts: ImageFacts) -> ImageFacts:
    """The facts with the engine's malicious-package decision made, as scc.engine.run makes it before the checks."""
    from scc.engine.malicious import mark_malicious
    from scc.engine.tables import load_tables

    return mark_malicious(facts, load_tables().malicious, (), NOW.date())[0]


def grype(change: Callable[[dict], None] | None = None, extra: tuple[str, ...] = ()) -> Builder:
    def build(tmp: Path) -> ImageFacts:
        paths = [demo_json(tmp, "grype.json", change)] + [demo_json(tmp, name) for name in extra]
        return read(*paths)
    return build


def scanned_at(when: str, db: str | None = None) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["descriptor"]["timestamp"] = when
        data["descriptor"]["db"]["built"] = db or when
    return change


def only_matches(keep: Callable[[dict], bool], *, fix_state: str | None = None, severity: str | None = None,
                 when: str | None = None) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["matches"] = [m for m in data["matches"] if keep(m)]
        for match in data["matches"]:
            if fix_state:
                match["vulnerability"]["fix"] = {"state": fix_state, "versions": []}
            if severity:
                match["vulnerability"]["severity"] = severity
        if when:
            scanned_at(when)(data)
    return change


def _cve(match: dict) -> str:
    return match["vulnerability"]["id"] + " " + " ".join(r["id"] for r in match.get("relatedVulnerabilities", []))


WERKZEUG = lambda m: "CVE-2023-46136" in _cve(m)
NONE = lambda m: False


def trivy(change: Callable[[dict], None] | None = None) -> Builder:
    def build(tmp: Path) -> ImageFacts:
        data = json.loads(TRIVY.read_text())
        if change:
            change(data)
        (tmp / "trivy.json").write_text(json.dumps(data))
        return read(tmp / "trivy.json")
    return build


def _secrets_none(data: dict) -> None:
    for result in data["Results"]:
        if result.get("Class") == "secret":
            result["Secrets"] = []


def _misconfig(statuses: dict[str, str]) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        for result in data["Results"]:
            for item in result.get("Misconfigurations", []):
                item["Status"] = statuses.get(item["ID"], item["Status"])
    return change


# -- provenance and signatures -------------------------------------------------------------------
def provenance(change: Callable[[dict], None] | None = None, key: bool = False, with_image: bool = True) -> Builder:
    def build(tmp: Path) -> ImageFacts:
        envelope = json.loads((DEMO / "provenance.intoto.jsonl").read_text().splitlines()[0])
        if change:
            statement = json.loads(base64.b64decode(envelope["payload"]))
            change(statement)
            envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
        (tmp / "provenance.intoto.jsonl").write_text(json.dumps(envelope) + "\n")
        keys = load_verification_keys([DEMO / "demo-signing.pub"] if key else [])
        paths = [tmp / "provenance.intoto.jsonl"] + ([DEMO / "image"] if with_image else [])
        return read(*paths, context=ReadContext(keys=keys))
    return build


def _no_builder(statement: dict) -> None:
    statement["predicate"]["runDetails"]["builder"]["id"] = ""


def _other_subject(statement: dict) -> None:
    statement["subject"] = [{"name": "registry.example.mil/other", "digest": {"sha256": "ab" * 32}}]


def _unknown_builder(statement: dict) -> None:
    statement["predicate"]["runDetails"]["builder"]["id"] = "https://ci.example.mil/laptop-build"


# -- filesystem variants ---------------------------------------------------------------------
SSHD = {"usr/sbin/sshd": ELF_FILE, "etc/ssh/sshd_config": SSHD_CONFIG_DEBIAN}
FIPS_OK = {
    "usr/lib/x86_64-linux-gnu/ossl-modules/fips.so": b"\x7fELF" + b"\0" * 60 + b"\0OpenSSL FIPS Provider\0"
                                                      b"3.1.2\0OpenSSL 3.1.2 1 Aug 2023\0" + b"\0" * 64,
    "usr/lib/ssl/openssl.cnf": b"openssl_conf = openssl_init\n.include /usr/lib/ssl/fipsmodule.cnf\n[openssl_init]\n"
                               b"providers = provider_sect\n[provider_sect]\nfips = fips_sect\nbase = base_sect\n"
                               b"[base_sect]\nactivate = 1\n",
    "usr/lib/ssl/fipsmodule.cnf": b"[fips_sect]\nactivate = 1\ninstall-version = 1\nmodule-mac = 5B:3C:8E:AA\n",
}
GCRYPT_HMAC = {"etc/gcrypt/fips_enabled": b"1\n", "usr/lib/x86_64-linux-gnu/.libgcrypt.so.20.hmac": b"3f" * 32}
TOOLS = ("bin/bash", "usr/bin/dpkg", "usr/bin/apt-get", "etc/apt", "usr/share/keyrings")
TELNETD = {"var/lib/dpkg/status": debian_files()["var/lib/dpkg/status"]
           + b"Package: telnetd\nStatus: install ok installed\nArchitecture: amd64\nVersion: 0.17+2.4-2+deb12u1\n\n"}
SETUID_SU = {"usr/bin/su": (ELF_FILE[0], 0o4755)}
WORLD = {"etc/app.conf": (b"key = value\n", 0o666)}
LOGIN_SHELL = {"etc/passwd": debian_files()["etc/passwd"].replace(
    b"app:x:10001:10001::/home/app:/usr/sbin/nologin", b"app:x:10001:10001::/home/app:/bin/bash")}
NON_ROOT = {"User": "10001:10001"}


def _dup_component(data: dict) -> None:
    first = dict(next(c for c in data["components"] if c.get("purl", "").startswith("pkg:apk/")))
    first["version"] = "0.0.1-r0"
    first["purl"] = first["purl"].replace("@", "@0.0.1-r0-old", 1).split("?")[0]
    first["bom-ref"] = first["bom-ref"] + "-old"
    data["components"].append(first)


def _strip(fields: tuple[str, ...], count: int | None = None) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        for component in data["components"][:count]:
            for name in fields:
                component.pop(name, None)
    return change


def _sbom_without(*names: str) -> Builder:
    """The demo SBOM without the components named (no filesystem): absence only an SBOM shows."""
    return sbom_changed(lambda d: d.update(components=[c for c in d["components"] if c["name"] not in names]))


def _vex_for_werkzeug(tmp: Path) -> ImageFacts:
    def change(data: dict) -> None:
        data["statements"].append({"vulnerability": {"name": "CVE-2023-46136"}, "status": "affected",
                                   "action_statement": "Upgrade werkzeug to 2.3.8 in the next release.",
                                   "timestamp": "2026-11-25T09:00:00Z",
                                   "products": [{**data["statements"][0]["products"][0],
                                                 "subcomponents": [{"@id": "pkg:pypi/werkzeug@2.2.3"}]}]})
    return read(demo_json(tmp, "grype.json", only_matches(WERKZEUG)), demo_json(tmp, "vex.openvex.json", change),
                demo_json(tmp, "image-config.json"))


# -- the table -----------------------------------------------------------------------------------
TOOL_CHECK = lambda fs_path, package: {
    S: fs_tree(drop=TOOLS), NS: fs_tree({fs_path: ELF_FILE}), M: _sbom_without("busybox", "apk-tools", package)}
FIPS = {S: fs_tree(FIPS_OK), NS: fs_tree(), P: fs_tree(GCRYPT_HMAC), M: nothing}
SIGNING = {S: fs_tree(), NS: fs_tree({"etc/apt/sources.list": b"deb [trusted=yes] http://repo.example/debian bookworm main\n"}),
           P: lambda tmp: facts_of(tree(tmp, ubi_files(), {"etc/dnf/dnf.conf": b"[main]\ngpgcheck=1\n"})),
           NA: fs_tree(drop=TOOLS), M: nothing}
SUPERSEDED = {S: sbom_changed(), NS: sbom_changed(_dup_component), M: nothing}
SCAN_CURRENT = {S: grype(), NS: grype(scanned_at("2026-08-01T00:00:00Z")),
                P: grype(scanned_at("2026-11-28T00:00:00Z", db="2026-06-01T00:00:00Z")), M: nothing}
SLA = {S: grype(only_matches(NONE)), NS: grype(only_matches(WERKZEUG, severity="Critical", when="2026-06-01T00:00:00Z")),
       P: grype(only_matches(WERKZEUG, severity="Critical", when="2026-11-29T00:00:00Z")), M: nothing}
WORLD_WRITABLE = {S: fs_tree(), NS: fs_tree(WORLD), M: nothing}
ESCALATION = {NS: fs_image({"User": ""}), P: fs_image(NON_ROOT, SETUID_SU), M: config_with(User="app")}
ROOT_OWNED = {NS: fs_image(NON_ROOT, owners={"usr/lib/x86_64-linux-gnu/libgcrypt.so.20.4.1": 10001}), M: nothing}
NONESSENTIAL = {NS: fs_tree(), M: fs_tree(drop=TOOLS)}
INSECURE = {NS: fs_tree(TELNETD), M: nothing}
NA_ONLY = {NA: nothing}


def deployed(name: str) -> Builder:
    """The demo image (named by its SBOM) run by a manifest of tests/data/kubernetes."""
    def build(tmp: Path) -> ImageFacts:
        return read(DEMO / "sbom.cdx.json", REPO / "tests" / "data" / "kubernetes" / name)
    return build


HARDENED, WEAK, JOBS = deployed("helm-demo-api.yaml"), deployed("kubectl-list.yaml"), deployed("kustomize-jobs.yaml")
K8S_BOTH = {S: HARDENED, NS: WEAK, M: nothing}
MANUAL_ONLY = {M: nothing}

# -- vendor attestation sets (tests/data/attestations) ----------------------------------------------
ATTESTATIONS = REPO / "tests" / "data" / "attestations"


def _statement_of(set_name: str, line: int) -> dict:
    envelope = json.loads((ATTESTATIONS / f"{set_name}.attestations.jsonl").read_text().splitlines()[line - 1])
    return json.loads(base64.b64decode(envelope["payload"]))


def _unsigned_set(tmp: Path, *statements: dict) -> Path:
    path = tmp / "set.jsonl"
    path.write_text("".join(json.dumps({"payloadType": "application/vnd.in-toto+json", "signatures": [],
                                        "payload": base64.b64encode(json.dumps(s).encode()).decode()}) + "\n"
                            for s in statements))
    return path


def vendor_set(name: str, key: bool = True, line: int = 0, change: Callable[[dict], None] | None = None) -> Builder:
    """The vendor set as published (signed), or one of its statements changed (then unsigned)."""
    def build(tmp: Path) -> ImageFacts:
        path = ATTESTATIONS / f"{name}.attestations.jsonl"
        if change is not None:
            statement = _statement_of(name, line)
            change(statement)
            path = _unsigned_set(tmp, statement)
        keys = load_verification_keys([ATTESTATIONS / "vendor-test.pub"] if key else [])
        return read(path, ATTESTATIONS / f"{name}.inspect.json", context=ReadContext(keys=keys))
    return build


def _failed_tests(statement: dict) -> None:
    statement["predicate"]["results"]["summary"].update(passed=2, failed=1)


def _failing_stig(statement: dict) -> None:
    output = statement["predicate"]["output"][1]
    xml = base64.b64decode(output["content"]).replace(b"<result>notapplicable</result>", b"<result>fail</result>")
    output["content"] = base64.b64encode(xml).decode()


def _other_certificate(statement: dict) -> None:
    statement["predicate"][0]["certification"] = "CMVP #4282"


def signed_fips_image(tmp: Path) -> ImageFacts:
    """An image whose filesystem activates the OpenSSL FIPS provider 3.1.2, with the vendor's signed FIPS
    attestation for its digest."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    layout = image(tmp, debian_files(), FIPS_OK)
    digest = json.loads((layout / "index.json").read_text())["manifests"][0]["digest"]
    statement = _statement_of("dhi-python-3.13-fips", 5)
    statement["subject"] = [{"name": "registry.example/team/app", "digest": {"sha256": digest.split(":")[1]}}]
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp / "vendor.pub").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    payload = json.dumps(statement).encode()
    kind = b"application/vnd.in-toto+json"
    signature = key.sign(b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload), ec.ECDSA(hashes.SHA256()))
    (tmp / "fips.jsonl").write_text(json.dumps({"payloadType": kind.decode(), "payload": base64.b64encode(payload).decode(),
                                                "signatures": [{"keyid": "", "sig": base64.b64encode(signature).decode()}]}) + "\n")
    keys = load_verification_keys([tmp / "vendor.pub"])
    return read(tmp / "fips.jsonl", layout, context=ReadContext(keys=keys))


SCORECARD = Path(__file__).parent / "data" / "scorecard"
PROVENANCE = Path(__file__).parent / "data" / "intoto" / "slsa-v1.container-image.statement.json"


def scorecards(*names: str, keep: tuple[str, ...] = (), provenance: bool = False,
               image_repo_change: Callable[[dict], None] | None = None) -> Builder:
    """The Scorecard fixtures' SBOM (only the ``keep`` components, when given) with the named results."""
    def build(tmp: Path) -> ImageFacts:
        sbom = json.loads((SCORECARD / "payments-api.cdx.json").read_text())
        if keep:
            sbom["components"] = [c for c in sbom["components"] if c["name"] in keep]
        (tmp / "sbom.cdx.json").write_text(json.dumps(sbom))
        paths = [tmp / "sbom.cdx.json", *(SCORECARD / n for n in names), *([PROVENANCE] if provenance else [])]
        if image_repo_change:
            collected = json.loads((SCORECARD / "collected.scorecard.json").read_text())
            image_repo_change(collected[0])
            (tmp / "collected.json").write_text(json.dumps(collected))
            paths.append(tmp / "collected.json")
        return read(*paths)
    return build


def _weak_branch_protection(result: dict) -> None:
    result["checks"][0]["score"] = 2


SCORED = ("widget", "github.com/gizmo-works/gizmo/v2/client")
UPSTREAM_RESULTS = ("widget.scorecard-v5.json", "gizmo.scorecard-api.json")



VERDICTS: dict[str, dict[str, Builder]] = {
    "ac6-non-root-user": {S: config_with(User="65532:65532"), NS: config_with(User="root"),
                          P: fs_image({"User": "ghost"}), M: config_with(User="app")},
    "ac6-no-setuid-files": {S: fs_tree(), NS: fs_tree(SETUID_SU), M: nothing},
    "ac3-no-world-writable-files": WORLD_WRITABLE,
    "ac2-service-accounts-no-login-shell": {S: fs_tree(), NS: fs_tree(LOGIN_SHELL), M: nothing},
    "ia5-no-embedded-secrets": {S: trivy(_secrets_none), NS: trivy(), M: grype()},
    "cm7-no-shell": TOOL_CHECK("bin/dash", "busybox"),
    "cm7-no-package-manager": TOOL_CHECK("usr/bin/dpkg", "apk-tools"),
    "cm7-no-compiler": {S: fs_tree(), NS: fs_tree({"usr/bin/gcc-12": ELF_FILE}), M: _sbom_without("busybox", "apk-tools")},
    "cm7-no-insecure-services": {S: fs_tree(), NS: fs_tree(TELNETD), M: nothing},
    "cm6-no-secret-env-names": {S: config_with(), NS: config_with(Env=["PATH=/usr/bin", "DB_PASSWORD=x"]),
                                M: nothing},
    "cm6-healthcheck-declared": {S: config_with(), NS: config_without("Healthcheck"), M: nothing},
    "cm6-no-privileged-ports": {S: config_with(), NS: config_with(ExposedPorts={"443/tcp": {}}),
                                M: config_with(ExposedPorts={"http": {}})},
    "cm6-no-failed-misconfigurations": {S: trivy(_misconfig({"DS002": "PASS", "DS026": "PASS"})), NS: trivy(),
                                        P: trivy(_misconfig({"DS002": "PASS"})), M: grype()},
    "sc13-fips-module-active": FIPS,
    "cm8-sbom-present": {S: sbom_changed(), NS: sbom_changed(lambda d: d.update(components=[])), M: nothing},
    "cm8-sbom-fields-complete": {S: sbom_changed(), NS: sbom_changed(_strip(("purl", "version"))),
                                 P: sbom_changed(_strip(("purl",), 1)), M: nothing},
    "cm8-sbom-covers-scanned-packages": {
        S: lambda tmp: read(demo_json(tmp, "sbom.cdx.json"), demo_json(tmp, "grype.json")),
        NS: lambda tmp: read(demo_json(tmp, "sbom.cdx.json", lambda d: d.update(components=d["components"][:1])),
                             demo_json(tmp, "grype.json")),
        M: sbom_changed()},
    "cm8-image-metadata-labels": {S: config_with(), NS: config_without("Labels"),
                                  P: config_with(Labels={"org.opencontainers.image.source": "https://git.example/x"}),
                                  M: nothing},
    "sr4-provenance-present": {S: provenance(), P: provenance(_no_builder), M: nothing},
    "sr4-provenance-covers-image": {S: provenance(), NS: provenance(_other_subject),
                                    M: provenance(with_image=False)},
    "sr3-slsa-build-level": {S: provenance(key=True), P: provenance(_unknown_builder), M: nothing},
    "si7-signature-verified": {S: provenance(key=True), NS: provenance(_other_subject, key=True),
                               P: provenance(), M: nothing},
    "cm14-package-signatures-enforced": SIGNING,
    "sr11-component-authenticity": {S: provenance(key=True), M: provenance()},
    "sr4-attestations-name-image": {S: vendor_set("chainguard-static"), NS: vendor_set("dhi-python-3.13-fips"),
                                    P: vendor_set("chainguard-static", key=False), M: nothing},
    "sa11-vendor-tests-attested": {P: vendor_set("dhi-python-3.13-fips"),
                                   NS: vendor_set("dhi-python-3.13-fips", line=7, change=_failed_tests), M: nothing},
    "cm6-vendor-stig-scan-attested": {P: vendor_set("dhi-python-3.13-fips"),
                                      NS: vendor_set("dhi-python-3.13-fips", line=6, change=_failing_stig), NA: nothing},
    "sc13-vendor-fips-attestation": {S: signed_fips_image, P: vendor_set("dhi-python-3.13-fips"),
                                     NS: vendor_set("dhi-python-3.13-fips", line=5, change=_other_certificate),
                                     NA: nothing},
    "ra5-scan-current": SCAN_CURRENT,
    "si2-fixable-findings-within-sla": SLA,
    "si2-medium-findings-within-sla": {
        S: grype(only_matches(NONE)),
        NS: grype(only_matches(WERKZEUG, severity="Medium", when="2026-06-01T00:00:00Z")),
        P: grype(only_matches(WERKZEUG, severity="Medium", when="2026-11-29T00:00:00Z")), M: nothing},
    "si2-findings-without-fix": {S: grype(only_matches(WERKZEUG)),
                                 P: grype(only_matches(WERKZEUG, fix_state="not-fixed")), M: nothing},
    "ra5-findings-vex-triaged": {S: _vex_for_werkzeug, NS: grype(only_matches(WERKZEUG), extra=("vex.openvex.json",)),
                                 M: grype(only_matches(WERKZEUG))},
    "si2-no-superseded-packages": SUPERSEDED,
    "si3-no-malicious-packages": {S: lambda tmp: marked(grype(extra=("sbom.cdx.json",))(tmp)),
                                  NS: lambda tmp: marked(read(MALICIOUS / "node-app.grype.json")),
                                  P: lambda tmp: marked(trivy()(tmp)), M: nothing},
    "SRG-APP-000342-CTR-000775": {**ESCALATION, M: fs_image(NON_ROOT)},
    "SRG-APP-000142-CTR-000330": {NS: config_with(ExposedPorts={"443/tcp": {}}), M: config_with()},
    "SRG-APP-000142-CTR-000325": MANUAL_ONLY,
    "SRG-APP-000141-CTR-000315": NONESSENTIAL,
    "SRG-APP-000141-CTR-000320": NA_ONLY,
    "SRG-APP-000516-CTR-001335": SCAN_CURRENT,
    "SRG-APP-000456-CTR-001130": SLA,
    "SRG-APP-000456-CTR-001125": SLA,
    "SRG-APP-000454-CTR-001110": SUPERSEDED,
    "SRG-APP-000514-CTR-001315": FIPS,
    "SRG-APP-000635-CTR-001405": FIPS,
    "SRG-APP-000133-CTR-000305": {**ROOT_OWNED, M: fs_image(NON_ROOT)},
    "SRG-APP-000133-CTR-000310": {**ROOT_OWNED, M: fs_image(NON_ROOT)},
    "SRG-APP-000383-CTR-000910": INSECURE,
    "SRG-APP-000384-CTR-000915": MANUAL_ONLY,
    "SRG-APP-000386-CTR-000920": NA_ONLY,
    "SRG-APP-000560-CTR-001340": MANUAL_ONLY,
    "SRG-APP-000610-CTR-001385": {M: provenance(key=True)},
    "SRG-APP-000095-CTR-000170": NA_ONLY,
    "SRG-APP-000089-CTR-000150": NA_ONLY,
    "SRG-APP-000118-CTR-000240": NA_ONLY,
    "SRG-APP-000014-CTR-000035": NA_ONLY,
    "SRG-APP-000243-CTR-000595": {NS: WEAK, M: HARDENED},
    "SRG-APP-000435-CTR-001070": {NS: HARDENED, M: JOBS},
    "SRG-APP-000246-CTR-000605": {NS: WEAK, M: nothing},
    "SRG-APP-000431-CTR-001065": {NS: WEAK, M: HARDENED},
    "k8s-run-as-non-root": K8S_BOTH,
    "k8s-not-privileged": K8S_BOTH,
    "k8s-no-privilege-escalation": K8S_BOTH,
    "k8s-capabilities-dropped": K8S_BOTH,
    "k8s-read-only-root-filesystem": K8S_BOTH,
    "k8s-no-host-resources": K8S_BOTH,
    "k8s-seccomp-profile": K8S_BOTH,
    "k8s-resource-limits": {S: JOBS, NS: HARDENED, M: nothing},
    "k8s-image-by-digest": {P: HARDENED, NS: WEAK, M: nothing},
    "k8s-service-account-token": K8S_BOTH,
    "k8s-network-policy": {P: HARDENED, NS: JOBS, M: WEAK},
    "SRG-APP-000516-CTR-001325": MANUAL_ONLY,
    "SRG-OS-000095-GPOS-00049": NONESSENTIAL,
    "SRG-OS-000096-GPOS-00050": INSECURE,
    "SRG-OS-000324-GPOS-00125": {**ESCALATION, S: fs_image(NON_ROOT)},
    "SRG-OS-000326-GPOS-00126": {S: fs_tree(), NS: fs_tree(SETUID_SU), M: nothing},
    "SRG-OS-000362-GPOS-00149": {S: fs_image(NON_ROOT), NS: fs_image({"User": "0"}),
                                 P: lambda tmp: facts_of(image(tmp, {k: v for k, v in debian_files().items()
                                                                     if not k.startswith(TOOLS)}, config={"User": ""})),
                                 M: fs_image({"User": "ghost"})},
    "SRG-OS-000366-GPOS-00153": SIGNING,
    "SRG-OS-000437-GPOS-00194": SUPERSEDED,
    "SRG-OS-000439-GPOS-00195": SLA,
    "SRG-OS-000478-GPOS-00223": FIPS,
    "SRG-OS-000259-GPOS-00100": {**ROOT_OWNED, S: fs_image(NON_ROOT)},
    "SRG-OS-000480-GPOS-00227": MANUAL_ONLY,
    "SRG-OS-000480-GPOS-00228": {M: fs_tree()},
    "SRG-OS-000480-GPOS-00229": {
        S: fs_tree({**SSHD, "etc/ssh/sshd_config.d/50-stig.conf": SSHD_HARDENED}), NS: fs_tree(SSHD),
        NA: fs_tree(), M: fs_tree({"usr/sbin/dropbear": ELF_FILE})},
    "SRG-OS-000480-GPOS-00232": NA_ONLY,
    "SRG-OS-000062-GPOS-00031": NA_ONLY,
    "SRG-OS-000037-GPOS-00015": NA_ONLY,
    "SRG-OS-000057-GPOS-00027": NA_ONLY,
    "SRG-OS-000341-GPOS-00132": NA_ONLY,
    "SRG-OS-000342-GPOS-00133": NA_ONLY,
    "SRG-OS-000021-GPOS-00005": {
        S: fs_tree({"etc/pam.d/common-auth": COMMON_AUTH_FAILLOCK, "etc/security/faillock.conf": FAILLOCK_DISA}),
        NS: fs_tree(), NA: fs_tree(drop=("etc/pam.d",)), M: fs_tree({**SSHD}, drop=("etc/pam.d",))},
    "SRG-OS-000078-GPOS-00046": {M: fs_tree()},
    "SRG-OS-000073-GPOS-00041": MANUAL_ONLY,
    "SRG-OS-000033-GPOS-00014": {M: fs_tree(SSHD), NA: fs_tree()},
    "SRG-OS-000423-GPOS-00187": MANUAL_ONLY,
    "SRG-OS-000775-GPOS-00230": MANUAL_ONLY,
    "SRG-OS-000001-GPOS-00001": NA_ONLY,
    "SRG-OS-000368-GPOS-00154": MANUAL_ONLY,
    "SRG-OS-000370-GPOS-00155": MANUAL_ONLY,
    "SRG-OS-000355-GPOS-00143": NA_ONLY,
    "SRG-OS-000433-GPOS-00192": NA_ONLY,
    "SRG-OS-000433-GPOS-00193": NA_ONLY,
    "SRG-OS-000185-GPOS-00079": NA_ONLY,
    "sr6-scorecard-supplier-assessment": {
        S: scorecards(*UPSTREAM_RESULTS, keep=SCORED), NS: scorecards("cron-export.scorecard.jsonl"),
        P: scorecards(*UPSTREAM_RESULTS), M: scorecards()},
    "sa9-scorecard-upstream-practices": {
        NS: scorecards("cron-export.scorecard.jsonl"), P: scorecards(*UPSTREAM_RESULTS, keep=SCORED),
        M: scorecards()},
    "sr3-scorecard-image-source": {
        P: scorecards("collected.scorecard.json", provenance=True),
        NS: scorecards(provenance=True, image_repo_change=_weak_branch_protection),
        M: scorecards("collected.scorecard.json")},
    # judged against --registry-policy, which this table's context does not carry: tests/test_registry_policy.py
    # reaches each of their verdicts with a policy
    "registry-image-allowed": {M: grype()},
    "registry-image-digest-pinned": {S: grype(), M: nothing},
    "registry-base-image-allowed": {M: grype()},
    "registry-manifest-images-allowed": {M: grype()},
    "registry-manifest-images-pinned": {M: grype()},
}

#: Rules that cannot give satisfied and/or not-satisfied, and why (each must be true of the check).
CANNOT = {
    "manual_review": "decides nothing from facts by design: a person must examine the requirement",
    "not_applicable_to_images": "a host, platform or organisation requirement: never decided from an image",
    "no_nonessential_tools": "none found stays manual: essentialness is the mission's decision",
    "components_absent/manual": "the list is narrower than the requirement (PPSM CAL): absence stays manual",
    "best_verdict/manual": "the platform's part of the requirement is unseen: satisfied is capped at manual",
    "config_file_setting/no-expect": "the file is shown to a person; scc does not judge these settings",
    "sr4-provenance-present": "provenance missing a builder or source is partial, never a failure",
    "sr3-slsa-build-level": "every SLSA provenance evidences Build L1, so short of L2 is partial, not a failure",
    "sr11-component-authenticity": "without verified provenance a person judges the sources (manual)",
    "findings_without_fix": "open findings without a fix are tracked (partial), never a failure by themselves",
    # the registry allow-list checks decide against --registry-policy (absent here: manual or not applicable);
    # tests/test_registry_policy.py reaches their satisfied and not-satisfied verdicts with a policy
    "image_source_allowed": "without a registry policy where the image comes from is manual",
    "image_digest_pinned": "a missing digest is a finding only where the registry policy requires one",
    "base_image_allowed": "without a registry policy the base image's source is manual",
    "manifest_images_allowed": "without a registry policy (and manifests) the workloads' images are manual",
    "manifest_images_pinned": "without deployment manifests pinning is manual",
    "registry_allow_list": "without a registry policy the platform's allow-list is not applicable; with one, "
                           "manual at best (enforcement is the platform's)",
    "sa11-vendor-tests-attested": "a passing test report is part of SA-11 (no plan, coverage or remediation): partial at best",
    "cm6-vendor-stig-scan-attested": "a scan against the vendor's own STIG-based profile, not a DISA benchmark: partial at best",
    "sa9-scorecard-upstream-practices": "Scorecard monitors providers (SA-9 c) only: satisfied is capped at partial",
    "sr3-scorecard-image-source": "the repository's controls are part of SR-3 only: satisfied is capped at partial",
    "k8s-image-by-digest": "a digest pins the image, not the rest of the baseline configuration (CM-2): partial at best",
    "k8s-network-policy": "a manifest shows policies as written, not applied or enforced by the CNI: partial at best",
}


def _why_not_both(rule) -> str:
    if rule.check in CANNOT:
        return CANNOT[rule.check]
    if rule.id in CANNOT:
        return CANNOT[rule.id]
    if getattr(rule.params, "absent_verdict", None) == "manual" and rule.check == "components_absent":
        return CANNOT["components_absent/manual"]
    if getattr(rule.params, "best_verdict", None) == "manual":
        return CANNOT["best_verdict/manual"]
    if rule.check == "config_file_setting" and not getattr(rule.params, "expect", ""):
        return CANNOT["config_file_setting/no-expect"]
    return ""


SHIPPED = load_rule_packs()
CASES = [(rule_id, wanted) for rule_id, builders in VERDICTS.items() for wanted in builders]


def test_every_shipped_rule_has_its_verdict_cases():
    assert sorted(r.id for r in SHIPPED if r.id not in VERDICTS) == []
    assert sorted(set(VERDICTS) - {r.id for r in SHIPPED}) == []


@pytest.mark.parametrize("rule", SHIPPED, ids=lambda r: r.id)
def test_every_rule_goes_both_ways_or_says_why_not(rule):
    given = set(VERDICTS.get(rule.id, {}))
    if {S, NS} <= given:
        return
    assert _why_not_both(rule), f"{rule.id} ({rule.check}) reaches only {sorted(given)}: add the missing cases"


@pytest.mark.slow
@pytest.mark.parametrize("rule_id, wanted", CASES, ids=[f"{r}-{v}" for r, v in CASES])
def test_rule_reaches_the_verdict_from_real_inputs(tmp_path, rule_id, wanted):
    rule = next(r for r in SHIPPED if r.id == rule_id)
    facts = VERDICTS[rule_id][wanted](tmp_path)
    context = CheckContext(now=NOW, sla_days=dict(DEFAULT_SLA_DAYS))
    result = evaluate_rules(facts, [rule], context)[0]
    assert result.verdict.value == wanted, result.reason

