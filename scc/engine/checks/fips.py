"""FIPS cryptography checks (SC-13, IA-7): a validated module is present and actually activated.

Evidence ranks: a module the filesystem shows activated (with its CMVP certificate) beats a module
present but not activated, which beats a package name in an SBOM. The reason says which won.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import component_label, gather, listing, manual, name_matcher, outcome
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.engine.tables import CmvpModule
from scc.facts.model import FipsModule, ImageFacts

# Which packages suggest a FIPS module or are crypto libraries: the packages: lists of controls/crypto.yaml
# ("fips", "crypto"); CMVP certificates: controls/fips-modules.yaml (ctx.tables), exact name + version.
_EMBEDDED_PROVIDER_VERSION = re.compile(r"openssl-(?:provider-fips|fips-provider)-(3\.\d+\.\d+)$")


def certificate_for(kind: str, name: str, version: str, table: Sequence[CmvpModule]) -> tuple[str, str]:
    """(CMVP certificate number, standard) for an exact known module, else ('', '')."""
    for entry in table:
        if entry.kind == kind and entry.name == name and entry.version == version and version:
            return entry.certificate, entry.standard
    return "", ""


def validation(module: FipsModule, table: Sequence[CmvpModule]) -> tuple[str, str]:
    """(certificate, standard) of a module the facts record, looked up by exact name and version.

    A package an SBOM names (kind 'package') is given one only when its name itself carries an exact
    module version the table knows (Wolfi/Chainguard 'openssl-provider-fips-3.1.2'), never from the
    package version.
    """
    if module.kind != "package":
        return certificate_for(module.kind, module.name, module.version, table)
    embedded = _EMBEDDED_PROVIDER_VERSION.search(module.name.lower())
    if embedded is None:
        return "", ""
    return certificate_for("openssl-fips-provider", "OpenSSL FIPS Provider", embedded.group(1), table)


def _module_label(module: FipsModule, table: Sequence[CmvpModule]) -> str:
    certificate, standard = validation(module, table)
    cert = f", CMVP #{certificate}" if certificate else ""
    standard = f" {standard}" if standard else ""
    return f"{module.name} {module.version}".strip() + f" ({module.kind}{standard}{cert})"


@dataclass(frozen=True)
class FipsModuleActiveParams(CheckParams):
    """Parameters of `fips_module_active` (rule packs set them under ``params:``)."""

    require_certificate: bool = True
    fips_packages: list[str] = field(default_factory=list)     # empty: the "fips" list of controls/crypto.yaml
    crypto_packages: list[str] = field(default_factory=list)   # empty: the "crypto" list of controls/crypto.yaml


@check(
    "fips_module_active", FipsModuleActiveParams,
    consults=("fips_modules", "filesystem.crypto_policy", "components"),
)
def fips_module_active(facts: ImageFacts, params: FipsModuleActiveParams, ctx: CheckContext) -> CheckOutcome:
    """A FIPS 140 module is activated in the image, with its integrity check and its CMVP certificate
    (satisfied needs all three; a module without its integrity file cannot pass its self-test)."""
    table = ctx.tables.fips_modules
    label = functools.partial(_module_label, table=table)
    fips_packages = params.fips_packages or ctx.tables.package_patterns("fips")
    crypto_packages = params.crypto_packages or ctx.tables.package_patterns("crypto")
    found = [m for m in facts.fips_modules if m.kind != "package"]
    broken = [m for m in found if not m.integrity]
    real = [m for m in found if m.integrity]
    active = [m for m in real if m.activated is True]
    policy = facts.filesystem.crypto_policy if facts.filesystem else ""
    details: dict[str, Any] = {
        "active": [label(m) for m in active],
        "crypto_policy": policy,
        "present": [label(m) for m in real if m.activated is not True],
        "evidence_kind": "filesystem" if found else "sbom",
        "without_integrity": [label(m) for m in broken],
    }
    if active:
        certified = [m for m in active if validation(m, table)[0]]
        policy_text = f"; system crypto policy {policy}" if policy else ""
        if certified or not params.require_certificate:
            chosen = (certified or active)[0]
            how = f" ({chosen.activation_detail})" if chosen.activation_detail else ""
            return outcome(
                Verdict.SATISFIED if certified else Verdict.PARTIAL,
                f"The image filesystem shows the FIPS module {label(chosen)} activated{how}, with its "
                f"integrity check ({chosen.integrity}){policy_text}"
                + ("." if certified else "; no CMVP certificate was matched (require_certificate is off), so "
                   "its validation is not shown."),
                gather(active),
                **details,
            )
        return outcome(
            Verdict.PARTIAL,
            f"The image filesystem shows {listing(label(m) for m in active)} activated, but no "
            "CMVP certificate was matched; verify the module version against the CMVP validated list.",
            gather(active),
            **details,
        )
    if real:
        why = "; ".join(
            f"{m.name}: {m.activation_detail or 'activation cannot be determined'}" for m in real[:3]
        )
        return outcome(
            Verdict.PARTIAL,
            f"The image filesystem contains FIPS-capable {listing(label(m) for m in real)} but "
            f"does not show it activated ({why}).",
            gather(real),
            **details,
        )
    named = [m for m in facts.fips_modules if m.kind == "package"]
    is_fips_package = name_matcher(fips_packages)
    packaged = [c for c in facts.components if is_fips_package(c.name)]
    if (named or packaged) and facts.filesystem is None:
        names = [label(m) for m in named] + [component_label(c) for c in packaged]
        return manual(
            f"Only package names suggest a FIPS module ({listing(names)}), from the SBOM; no image "
            "filesystem shows it installed and activated. Verify the provider is loaded by default "
            "(e.g. openssl.cnf / crypto policy) and its CMVP certificate.",
            **{**details, "packages": names},
        )
    if facts.filesystem is None and not facts.components:
        return manual(
            "Neither the image filesystem nor an SBOM was supplied; supply either to show which "
            "cryptographic modules the image contains.",
            **details,
        )
    is_crypto = name_matcher(crypto_packages)
    crypto = [c for c in facts.components if is_crypto(c.name)]
    lacking = (f"; {listing(f'{m.name} at {m.path}' for m in broken)} lacks its integrity file (.hmac / "
               "module-mac), so it cannot pass its FIPS self-test" if broken else "")
    if crypto or broken:
        return outcome(
            Verdict.NOT_SATISFIED,
            f"The image contains cryptographic libraries ({listing([component_label(c) for c in crypto] or [m.name for m in broken])}) "
            f"but no FIPS 140 module with its integrity check was found{lacking}.",
            gather(crypto, 20) + gather(broken),
            **{**details, "crypto": [component_label(c) for c in crypto[:20]]},
        )
    return manual(
        "No cryptographic library and no FIPS module was found in the image; if the workload uses no "
        "cryptography this requirement may not apply, otherwise identify the module it relies on.",
        **details,
    )
