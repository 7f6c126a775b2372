"""Generate large, realistic scanner inputs for the scale benchmarks (issue #12): a CycloneDX 1.5 SBOM and a
Grype JSON scan of the same image, shaped as syft and grype write them.

    python bench/generate.py OUT_DIR --components 5000 --findings 5000 [--seed 1] [--scanned 2026-11-20]

Components mix the ecosystems a container image holds (Debian and RPM packages, npm, PyPI, Maven, Go modules,
each with a realistic purl); findings are spread over the components (several per component when there are
more findings than components), with CVE ids, CVSS 3.1 vectors and scores, fix versions and fix states in
grype's proportions, and the fix-available dates newer grype writes. The same seed gives the same bytes, so a
benchmark can be rerun on identical inputs. Nothing here is used by scc itself.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ECOSYSTEMS = (  # (grype artifact type, share of components)
    ("deb", 0.30), ("rpm", 0.10), ("npm", 0.25), ("python", 0.15), ("java-archive", 0.10), ("go-module", 0.10),
)
SEVERITIES = (("Critical", 0.06), ("High", 0.24), ("Medium", 0.42), ("Low", 0.20), ("Negligible", 0.05),
              ("Unknown", 0.03))
FIX_STATES = (("fixed", 0.62), ("not-fixed", 0.30), ("wont-fix", 0.08))
SCORES = {"Critical": (9.0, 10.0), "High": (7.0, 8.9), "Medium": (4.0, 6.9), "Low": (0.1, 3.9),
          "Negligible": (0.0, 0.0), "Unknown": (0.0, 0.0)}
SYLLABLES = ("lib", "core", "net", "xml", "ssl", "zip", "json", "http", "yaml", "log", "io", "util", "crypt", "db",
             "auth", "cli", "gz", "re", "uri", "tls", "dns", "img", "font", "sql", "ws", "tar", "time", "conf")
IMAGE = "registry.example.mil/platform/scale-test:1.0"


@dataclass(frozen=True)
class Component:
    ref: str
    name: str
    version: str
    kind: str
    purl: str


def pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in table], weights=[weight for _, weight in table])[0]


def package_name(rng: random.Random, index: int) -> str:
    parts = rng.sample(SYLLABLES, k=rng.randint(1, 3))
    return "-".join(parts) + f"{index}"


def component(rng: random.Random, index: int) -> Component:
    kind = pick(rng, ECOSYSTEMS)
    name = package_name(rng, index)
    major, minor, patch = rng.randint(0, 12), rng.randint(0, 30), rng.randint(0, 40)
    version = f"{major}.{minor}.{patch}"
    if kind == "deb":
        version += f"-{rng.randint(1, 9)}+deb12u{rng.randint(1, 5)}"
        purl = f"pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-12"
    elif kind == "rpm":
        version += f"-{rng.randint(1, 30)}.el9"
        purl = f"pkg:rpm/redhat/{name}@{version}?arch=x86_64&distro=rhel-9.4"
    elif kind == "npm":
        purl = f"pkg:npm/{name}@{version}"
    elif kind == "python":
        purl = f"pkg:pypi/{name}@{version}"
    elif kind == "java-archive":
        purl = f"pkg:maven/org.example.{name.split('-')[0]}/{name}@{version}"
    else:
        purl = f"pkg:golang/github.com/example/{name}@v{version}"
    return Component(ref=hashlib.sha256(f"{index}:{purl}".encode()).hexdigest()[:16], name=name,
                     version=version, kind=kind, purl=purl)


def cyclonedx(components: list[Component], scanned: date) -> dict:
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "serialNumber": "urn:uuid:" + hashlib.sha256(b"scale-sbom").hexdigest()[:8] + "-0000-4000-8000-000000000000",
        "metadata": {
            "timestamp": f"{scanned.isoformat()}T00:00:00Z",
            "tools": {"components": [{"type": "application", "author": "anchore", "name": "syft",
                                      "version": "1.18.1"}]},
            "component": {"bom-ref": "image", "type": "container", "name": IMAGE.rsplit(":", 1)[0],
                          "version": "sha256:" + hashlib.sha256(b"scale-image").hexdigest()},
        },
        "components": [{
            "bom-ref": f"pkg:{c.kind}/{c.name}@{c.version}?package-id={c.ref}",
            "type": "library", "name": c.name, "version": c.version, "purl": c.purl,
            "licenses": [{"license": {"id": "MIT"}}],
            "cpe": f"cpe:2.3:a:{c.name}:{c.name}:{c.version}:*:*:*:*:*:*:*",
            "properties": [{"name": "syft:package:type", "value": c.kind},
                           {"name": "syft:location:0:path", "value": f"/usr/lib/{c.kind}/{c.name}"}],
        } for c in components],
    }


def vector(rng: random.Random) -> str:
    choice = rng.choice
    return (f"CVSS:3.1/AV:{choice('NALP')}/AC:{choice('LH')}/PR:{choice('NLH')}/UI:{choice('NR')}/S:{choice('UC')}"
            f"/C:{choice('NLH')}/I:{choice('NLH')}/A:{choice('NLH')}")


def match(rng: random.Random, index: int, target: Component, scanned: date) -> dict:
    severity = pick(rng, SEVERITIES)
    year = rng.randint(2016, scanned.year)
    cve = f"CVE-{year}-{10000 + index}"
    low, high = SCORES[severity]
    cvss = [] if severity in ("Negligible", "Unknown") else [{
        "source": "nvd@nist.gov", "type": "Primary", "version": "3.1", "vector": vector(rng),
        "metrics": {"baseScore": round(rng.uniform(low, high), 1), "exploitabilityScore": 3.9, "impactScore": 5.9},
        "vendorMetadata": {}}]
    state = pick(rng, FIX_STATES)
    fix: dict = {"versions": [], "state": state}
    if state == "fixed":
        fixed_version = target.version + ".1"
        fix["versions"] = [fixed_version]
        fix["available"] = [{"version": fixed_version, "kind": "first-observed",
                             "date": (scanned - timedelta(days=rng.randint(1, 400))).isoformat()}]
    return {
        "vulnerability": {
            "id": cve, "dataSource": f"https://nvd.nist.gov/vuln/detail/{cve}", "namespace": "nvd:cpe",
            "severity": severity, "urls": [f"https://nvd.nist.gov/vuln/detail/{cve}"],
            "description": f"A flaw in {target.name} before {target.version}.1 allows a remote attacker to "
                           f"cause a denial of service or disclose memory via crafted input (generated {index}).",
            "cvss": cvss, "fix": fix, "advisories": [],
        },
        "relatedVulnerabilities": [],
        "matchDetails": [{"type": "exact-direct-match", "matcher": f"{target.kind}-matcher",
                          "searchedBy": {"package": {"name": target.name, "version": target.version}},
                          "found": {"versionConstraint": f"< {target.version}.1", "vulnerabilityID": cve}}],
        "artifact": {"id": target.ref, "name": target.name, "version": target.version, "type": target.kind,
                     "locations": [{"path": f"/usr/lib/{target.kind}/{target.name}"}], "language": "",
                     "licenses": ["MIT"], "cpes": [f"cpe:2.3:a:{target.name}:{target.name}:{target.version}:*:*:*:*:*:*:*"],
                     "purl": target.purl, "upstreams": []},
    }


def grype(components: list[Component], findings: int, rng: random.Random, scanned: date) -> dict:
    digest = "sha256:" + hashlib.sha256(b"scale-image").hexdigest()
    matches = [match(rng, i, components[i % len(components)], scanned) for i in range(findings)]
    return {
        "matches": matches,
        "source": {"type": "image", "target": {"userInput": IMAGE, "imageID": digest, "manifestDigest": digest,
                                               "tags": [IMAGE], "layers": []}},
        "distro": {"name": "debian", "version": "12", "idLike": []},
        "descriptor": {"name": "grype", "version": "0.87.0", "timestamp": f"{scanned.isoformat()}T00:00:00Z",
                       "db": {"schemaVersion": 5, "built": f"{scanned.isoformat()}T00:00:00Z"}},
    }


def generate(out_dir: Path, components: int, findings: int, seed: int = 1, scanned: date = date(2026, 11, 20)
             ) -> list[Path]:
    """Write sbom.cdx.json (when components > 0) and scan.grype.json (when findings > 0) into out_dir."""
    rng = random.Random(seed)
    parts = [component(rng, i) for i in range(max(components, 1 if findings else 0))]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if components:
        written.append(_dump(out_dir / "sbom.cdx.json", cyclonedx(parts, scanned)))
    if findings:
        written.append(_dump(out_dir / "scan.grype.json", grype(parts, findings, rng, scanned)))
    return written


def _dump(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--components", type=int, default=5000)
    parser.add_argument("--findings", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scanned", type=date.fromisoformat, default=date(2026, 11, 20))
    args = parser.parse_args()
    for path in generate(args.out_dir, args.components, args.findings, args.seed, args.scanned):
        print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
