"""Least-functionality checks (CM-7, CM-7(1), CM-11(2)): no shell, no package manager, no compiler,
no named insecure services in the image.

The image filesystem is the strongest evidence and wins when supplied; otherwise the SBOM's
components are matched by name, and the reason says which evidence decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import (
    at_most,
    capped,
    component_label,
    executables_of,
    gather,
    listing,
    manual,
    name_matcher,
    outcome,
    plural,
)
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.model import ImageFacts

# What counts as a shell, a package manager or a compiler: controls/configuration.yaml, ``executables:`` for
# the image's files (ctx.tables.executable_kind) and ``packages:`` for SBOM package names
# (ctx.tables.package_patterns); a rule's own non-empty ``packages`` param replaces the package list.


@dataclass(frozen=True)
class ToolParams(CheckParams):
    """Parameters of the tool checks: paths and package names to allow, and the packages that provide the tool."""

    allow: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)   # empty: the data table's list for the kind


def _patterns(kind: str, params: ToolParams, ctx: CheckContext) -> Sequence[str]:
    """The rule's own ``packages`` when it names any, else the data table's list for ``kind``."""
    return params.packages or ctx.tables.package_patterns(kind)


def _tool_check(
    kind: str,
    facts: ImageFacts,
    params: ToolParams,
    ctx: CheckContext,
) -> CheckOutcome:
    allowed = set(params.allow)
    if facts.filesystem is not None:
        found = [e for e in executables_of(facts.filesystem, kind, ctx.tables) if e.path not in allowed]
        details = {"evidence_kind": "filesystem", "found": capped(e.path for e in found)}
        if found:
            return outcome(
                Verdict.NOT_SATISFIED,
                f"The image filesystem contains {plural(len(found), kind)}: "
                f"{listing(e.path for e in found)}.",
                gather(found, 30),
                **details,
            )
        return outcome(
            Verdict.SATISFIED,
            f"The image filesystem ({plural(facts.filesystem.file_count, 'file')}) contains no {kind}.",
            facts.filesystem.evidence[:1],
            **details,
        )
    if not facts.components:
        return manual(
            f"Neither the image filesystem nor an SBOM was supplied; supply either to show whether a "
            f"{kind} is present."
        )
    patterns = _patterns(kind, params, ctx)
    is_tool = name_matcher(patterns)
    matched = [c for c in facts.components if is_tool(c.name) and c.name not in allowed]
    details = {"evidence_kind": "sbom", "found": capped(component_label(c) for c in matched)}
    if matched:
        return outcome(
            Verdict.NOT_SATISFIED,
            f"The SBOM lists {plural(len(matched), 'package')} that "
            f"{'provides' if len(matched) == 1 else 'provide'} a {kind} "
            f"({listing(component_label(c) for c in matched)}); no image filesystem was supplied.",
            gather(matched, 30),
            **details,
        )
    return manual(
        f"No component in the inventory ({len(facts.components)} checked) is a known {kind} package, but an "
        f"SBOM lists packages, not files: a {kind} copied into the image is not in it. Supply the image "
        "filesystem to decide.",
        gather(facts.sboms),
        **details,
    )


@check("no_shell", ToolParams, consults=("filesystem.executables", "components"))
def no_shell(facts: ImageFacts, params: ToolParams, ctx: CheckContext) -> CheckOutcome:
    """No command shell in the image (filesystem shells, else SBOM packages that provide one)."""
    return _tool_check("shell", facts, params, ctx)


@check("no_package_manager", ToolParams, consults=("filesystem.executables", "components"))
def no_package_manager(facts: ImageFacts, params: ToolParams, ctx: CheckContext) -> CheckOutcome:
    """No package manager in the image (filesystem, else SBOM packages such as apk-tools, dpkg, rpm)."""
    return _tool_check("package manager", facts, params, ctx)


@check("no_compiler", ToolParams, consults=("filesystem.executables", "components"))
def no_compiler(facts: ImageFacts, params: ToolParams, ctx: CheckContext) -> CheckOutcome:
    """No compiler or build toolchain in the image (filesystem, else SBOM packages such as gcc, clang, go)."""
    return _tool_check("compiler", facts, params, ctx)


@dataclass(frozen=True)
class ComponentsAbsentParams(CheckParams):
    """Parameters of `components_absent` (rule packs set them under ``params:``)."""

    packages: list[str] = field(default_factory=list)
    what: str = "prohibited software"
    absent_verdict: str = "satisfied"
    absent_reason: str = ""


@check("components_absent", ComponentsAbsentParams, consults=("components",))
def components_absent(facts: ImageFacts, params: ComponentsAbsentParams, ctx: CheckContext) -> CheckOutcome:
    """None of the named packages (glob patterns) is in the component inventory."""
    what = params.what
    if not facts.components:
        return manual(
            f"No component inventory was supplied; supply an SBOM or the image filesystem to show that "
            f"no {what} is installed."
        )
    named = name_matcher(params.packages)
    matched = [c for c in facts.components if named(c.name)]
    details = {"found": capped(component_label(c) for c in matched), "patterns": params.packages}
    if matched:
        return outcome(
            Verdict.NOT_SATISFIED,
            f"The inventory lists {what}: {listing(component_label(c) for c in matched)}.",
            gather(matched, 30),
            **details,
        )
    return at_most(outcome(
        Verdict.SATISFIED,
        f"No component in the inventory ({len(facts.components)} checked) is {what} "
        f"({listing(params.packages, 8)}).",
        gather(facts.sboms) or gather(facts.components[:1]),
        **details,
    ), params.absent_verdict, params.absent_reason)


_TOOL_KINDS = ("shell", "package manager", "compiler")


@dataclass(frozen=True)
class NoNonessentialToolsParams(CheckParams):
    """Parameters of `no_nonessential_tools` (rule packs set them under ``params:``)."""

    allow: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=lambda: ["shell", "package manager", "compiler"])


@check(
    "no_nonessential_tools", NoNonessentialToolsParams,
    consults=("filesystem.executables", "components"),
)
def no_nonessential_tools(
    facts: ImageFacts, params: NoNonessentialToolsParams, ctx: CheckContext
) -> CheckOutcome:
    """No shell, package manager or compiler (each a capability a runtime image does not need); when none is
    found the verdict stays manual: which of the remaining software is essential is the mission's decision."""
    allowed = set(params.allow)
    kinds = [k for k in params.kinds if k in _TOOL_KINDS]
    if facts.filesystem is None:
        patterns = {k: ctx.tables.package_patterns(k) for k in _TOOL_KINDS}
        if not facts.components:
            return manual("Neither the image filesystem nor an SBOM was supplied; supply either to show which "
                          "tools the image carries.")
        is_kind = {k: name_matcher(patterns[k]) for k in _TOOL_KINDS}
        found = {k: [component_label(c) for c in facts.components
                     if is_kind[k](c.name) and c.name not in allowed] for k in kinds}
        evidence = gather([c for c in facts.components if any(is_kind[k](c.name) for k in kinds)], 30)
        source = "the SBOM (no image filesystem was supplied)"
    else:
        entries = {k: [e for e in executables_of(facts.filesystem, k, ctx.tables) if e.path not in allowed]
                   for k in kinds}
        found = {k: [e.path for e in v] for k, v in entries.items()}
        evidence = gather([e for v in entries.values() for e in v], 30) or facts.filesystem.evidence[:1]
        source = f"the image filesystem ({plural(facts.filesystem.file_count, 'file')})"
    present = {k: v for k, v in found.items() if v}
    details = {"found": {k: capped(v) for k, v in found.items()}}
    if present:
        return outcome(Verdict.NOT_SATISFIED,
                       "The image carries capabilities a runtime image does not need: "
                       + "; ".join(f"{plural(len(v), k)} ({listing(v, 3)})" for k, v in present.items())
                       + f", from {source}.", evidence, **details)
    return manual(f"{source[0].upper()}{source[1:]} shows no {', '.join(kinds)}; whether every remaining "
                  "program is essential to the mission (no games, tools or demonstration software) is the "
                  "organisation's decision: review the inventory.", evidence, **details)
