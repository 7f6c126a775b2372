"""Configuration-setting checks (CM-6, CM-7): secret-looking environment variable NAMES (values are
never known), a declared HEALTHCHECK, privileged ports, and settings in the image's config files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import at_most, capped, listing, manual, outcome, plural
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.model import Evidence, ImageFacts

SECRET_WORDS = [
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "SECRET_KEY",
    "CLIENT_SECRET",
    "CREDENTIAL",
    "AUTH_KEY",
    "ENCRYPTION_KEY",
    "SIGNING_KEY",
    "AWS_SECRET",
    "DB_PASS",
    "CONNECTION_STRING",
]
NOT_SECRET_SUFFIXES = ["_FILE", "_PATH", "_DIR", "_URL", "_ENDPOINT", "_LENGTH", "_POLICY"]
_NO_CONFIG = (
    "No image config was supplied; supply `docker inspect` output or the OCI image config to decide this."
)


def _config_evidence(facts: ImageFacts, name: str) -> list[Evidence]:
    assert facts.config is not None
    spot = facts.config.field_evidence.get(name)
    return [spot] if spot else list(facts.config.evidence[:1])


@dataclass(frozen=True)
class NoSecretEnvNamesParams(CheckParams):
    """Parameters of `no_secret_env_names` (rule packs set them under ``params:``)."""

    words: list[str] = field(default_factory=lambda: list(SECRET_WORDS))
    ignore_suffixes: list[str] = field(default_factory=lambda: list(NOT_SECRET_SUFFIXES))


@check("no_secret_env_names", NoSecretEnvNamesParams, consults=("config.env_names",))
def no_secret_env_names(facts: ImageFacts, params: NoSecretEnvNamesParams, ctx: CheckContext) -> CheckOutcome:
    """No environment variable whose NAME suggests a baked-in secret (values are never read or stored)."""
    if facts.config is None:
        return manual(_NO_CONFIG)
    words = [w.upper() for w in params.words]
    suffixes = tuple(s.upper() for s in params.ignore_suffixes)
    suspicious = [
        n
        for n in facts.config.env_names
        if any(w in n.upper() for w in words) and not n.upper().endswith(suffixes)
    ]
    details = {"env_count": len(facts.config.env_names), "suspicious": capped(suspicious)}
    evidence = _config_evidence(facts, "env")
    if not suspicious:
        return outcome(
            Verdict.SATISFIED,
            f"No environment variable name in the image config ({len(facts.config.env_names)} checked) "
            "suggests a secret (names only were examined).",
            evidence,
            **details,
        )
    return outcome(
        Verdict.NOT_SATISFIED,
        f"The image config sets {plural(len(suspicious), 'environment variable')} whose name suggests a "
        f"baked-in secret: {listing(suspicious)} (values are not read; remove them or inject at "
        "runtime from a secret store).",
        evidence,
        **details,
    )


@check("healthcheck_declared", CheckParams, consults=("config.healthcheck",))
def healthcheck_declared(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """The image config declares a HEALTHCHECK (and does not disable it)."""
    if facts.config is None:
        return manual(_NO_CONFIG)
    test = facts.config.healthcheck
    evidence = _config_evidence(facts, "healthcheck")
    if test is None:
        return outcome(
            Verdict.NOT_SATISFIED, "The image config declares no HEALTHCHECK.", evidence, healthcheck=None
        )
    if not test or test[0].upper() == "NONE":
        return outcome(
            Verdict.NOT_SATISFIED,
            "The image config disables the HEALTHCHECK (NONE).",
            evidence,
            healthcheck="NONE",
        )
    command = " ".join(test[1:] if test[0].upper() in ("CMD", "CMD-SHELL") else test)
    return outcome(
        Verdict.SATISFIED,
        f"The image config declares a HEALTHCHECK: {command[:120]}.",
        evidence,
        healthcheck=command,
    )


def _port_numbers(spec: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"\s*(\d+)(?:-(\d+))?(?:/\w+)?\s*", spec)
    if not match:
        return None
    low = int(match.group(1))
    return low, int(match.group(2) or low)


@dataclass(frozen=True)
class NoPrivilegedPortsParams(CheckParams):
    """Parameters of `no_privileged_ports` (rule packs set them under ``params:``)."""

    below: int = 1024
    best_verdict: str = "satisfied"
    limit: str = ""


@check("no_privileged_ports", NoPrivilegedPortsParams, consults=("config.exposed_ports",))
def no_privileged_ports(
    facts: ImageFacts, params: NoPrivilegedPortsParams, ctx: CheckContext
) -> CheckOutcome:
    """The image exposes no port below `below` (privileged ports need root or CAP_NET_BIND_SERVICE)."""
    if facts.config is None:
        return manual(_NO_CONFIG)
    ports = list(facts.config.exposed_ports)
    parsed = {p: _port_numbers(p) for p in ports}
    privileged = [p for p, rng in parsed.items() if rng is not None and rng[0] < params.below]
    unreadable = [p for p, rng in parsed.items() if rng is None]
    details: dict[str, Any] = {"exposed": ports, "privileged": privileged, "unreadable": unreadable}
    evidence = _config_evidence(facts, "exposed_ports")
    if privileged:
        return outcome(
            Verdict.NOT_SATISFIED,
            f"The image exposes privileged {'port' if len(privileged) == 1 else 'ports'} "
            f"{', '.join(privileged)} (below {params.below}).",
            evidence,
            **details,
        )
    if unreadable:
        return manual(
            f"The image exposes ports scc cannot read ({', '.join(unreadable)}); confirm none is below "
            f"{params.below}.",
            **details,
        )
    if not ports:
        return at_most(outcome(Verdict.SATISFIED, "The image config exposes no ports.", evidence, **details),
                       params.best_verdict, params.limit)
    return at_most(outcome(
        Verdict.SATISFIED,
        f"The image exposes only unprivileged ports ({', '.join(ports)}).",
        evidence,
        **details,
    ), params.best_verdict, params.limit)


@dataclass(frozen=True)
class ConfigFileSettingParams(CheckParams):
    """Parameters of `config_file_setting` (rule packs set them under ``params:``)."""

    paths: list[str] = field(default_factory=list)
    expect: str = ""
    absent_verdict: str = "not-applicable"
    absent_reason: str = ""


@check("config_file_setting", ConfigFileSettingParams, consults=("filesystem.config_files",))
def config_file_setting(
    facts: ImageFacts, params: ConfigFileSettingParams, ctx: CheckContext
) -> CheckOutcome:
    """A configuration file in the image (e.g. sshd_config, login.defs) and, when `expect` (a regular
    expression) is given, whether what scc read from it matches. Absent files give `absent_verdict`."""
    if facts.filesystem is None:
        return manual(
            f"No image filesystem was supplied; supply the image to read {listing(params.paths)}."
        )
    found = {
        p: facts.filesystem.config_files[p] for p in params.paths if p in facts.filesystem.config_files
    }
    evidence = [e for e in facts.filesystem.evidence if any(p in (e.pointer, e.source) for p in found)]
    details = {"paths": params.paths, "found": found}
    if not found:
        reason = params.absent_reason or f"The image contains none of {listing(params.paths)}."
        verdict = (
            Verdict(params.absent_verdict)
            if params.absent_verdict in {v.value for v in Verdict}
            else Verdict.NOT_APPLICABLE
        )
        return outcome(verdict, reason, facts.filesystem.evidence[:1], **details)
    summary = "; ".join(f"{p}: {fact}" for p, fact in found.items())
    if not params.expect:
        return manual(
            f"The image contains {summary}; review its settings against the requirement.", evidence, **details
        )
    if all(re.search(params.expect, fact or "") for fact in found.values()):
        return outcome(
            Verdict.SATISFIED,
            f"The image's configuration meets the requirement ({summary}).",
            evidence,
            **details,
        )
    return outcome(
        Verdict.NOT_SATISFIED,
        f"The image's configuration does not meet the requirement ({summary}).",
        evidence,
        **details,
    )
