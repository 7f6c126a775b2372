"""Plain typed objects for the official content: catalog controls, baselines, CCIs and SRG/STIG rules.

Parsers in this package build these; the engine and writers only ever read them.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Param:
    """A control parameter: its id and label, the choices of a selection, and values set by a profile."""

    id: str
    label: str = ""
    choices: tuple[str, ...] = ()
    how_many: str = ""           # "one" | "one-or-more" for selections
    values: tuple[str, ...] = ()

    def render(self) -> str:
        """How the control text shows this parameter: its value, or the bracketed assignment/selection."""
        if self.values:
            return ", ".join(self.values)
        if self.choices:
            many = " (one or more)" if self.how_many == "one-or-more" else ""
            return f"[Selection{many}: {'; '.join(self.choices)}]"
        return f"[Assignment: {self.label or self.id}]"


@dataclass(frozen=True)
class Control:
    """One 800-53 rev5 control or enhancement as the catalog states it, with its statement as plain text."""

    id: str                      # lower-case OSCAL id: "ac-2", "ac-6.10"
    title: str
    family_id: str
    family_title: str
    statement_text: str          # statement parts as plain text, parameters substituted, labels kept
    guidance: str = ""
    params: tuple[Param, ...] = ()
    enhancement_of: str = ""     # parent control id for an enhancement
    withdrawn: bool = False
    label: str = ""              # "AC-6(10)" as NIST prints it
    enhancements: tuple[str, ...] = ()
    statement_parts: tuple[str, ...] = ()   # ids of the statement and its item parts: ac-1_smt, ac-1_smt.a, ...


@dataclass
class Catalog:
    """The NIST SP 800-53 rev5 catalog: controls by lower-case OSCAL id and families in catalog order."""

    title: str
    version: str
    controls: dict[str, Control]
    families: dict[str, str]     # family id -> title, in catalog order
    source: str = ""

    def control(self, control_id: str) -> Control | None:
        """The control with this id (any case, e.g. 'AC-6.10'), or None."""
        return self.controls.get(control_id.strip().lower())

    def __contains__(self, control_id: object) -> bool:
        return isinstance(control_id, str) and control_id.strip().lower() in self.controls

    def __len__(self) -> int:
        return len(self.controls)


@dataclass(frozen=True)
class Baseline:
    """A baseline profile (low, moderate, high, privacy or FedRAMP's): the control ids it selects."""

    name: str                    # low | moderate | high | privacy
    title: str
    control_ids: tuple[str, ...]
    version: str = ""

    def __contains__(self, control_id: object) -> bool:
        return isinstance(control_id, str) and control_id.strip().lower() in self.control_ids


@dataclass(frozen=True)
class Cci:
    """One DISA Control Correlation Identifier: its definition and the 800-53 controls it maps to."""

    id: str                      # CCI-000366
    definition: str
    rev5: tuple[str, ...] = ()   # OSCAL control ids ("cm-6", "ac-6.10") from the rev5 references
    rev4: tuple[str, ...] = ()
    rev5_refs: tuple[str, ...] = ()   # the raw DISA index strings, e.g. "CM-6 b"
    rev4_refs: tuple[str, ...] = ()
    status: str = ""


@dataclass
class CciList:
    """DISA's CCI list: every CCI by id, and the list's version."""

    version: str
    items: dict[str, Cci]
    source: str = ""

    def get(self, cci_id: str) -> Cci | None:
        """The CCI with this id (any case, e.g. 'cci-000366'), or None."""
        return self.items.get(cci_id.strip().upper())

    def __contains__(self, cci_id: object) -> bool:
        return isinstance(cci_id, str) and cci_id.strip().upper() in self.items

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class BenchmarkRule:
    """One requirement of a DISA SRG or STIG: its ids, severity, texts and CCIs as DISA publishes them."""

    group_id: str                # V-203591
    rule_id: str                 # SV-203591r958362_rule
    version: str                 # SRG-OS-000001-GPOS-00001 or RHEL-09-211010
    severity: str                # high | medium | low
    title: str
    description: str             # the VulnDiscussion text
    check_text: str
    fix_text: str
    ccis: tuple[str, ...] = ()
    group_title: str = ""        # SRG-OS-000001 (the SRG id for STIG rules)

    @property
    def category(self) -> str:
        """The DISA category of the severity: CAT I (high), CAT II (medium), CAT III (low)."""
        from scc.severity import category_label

        return category_label(self.severity, unrated="CAT II")


@dataclass
class Benchmark:
    """One DISA SRG or STIG (XCCDF benchmark): its id, version, release and rules."""

    id: str
    title: str
    version: str
    release_info: str
    rules: list[BenchmarkRule]
    status_date: str = ""
    source: str = ""
    _by_version: dict[str, BenchmarkRule] = field(default_factory=dict, repr=False)
    _by_group: dict[str, BenchmarkRule] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for rule in self.rules:
            self._by_version.setdefault(rule.version, rule)
            self._by_group.setdefault(rule.group_id, rule)

    @property
    def release(self) -> str:
        """'V3R2' from version 3 and 'Release: 2 Benchmark Date: ...'."""
        digits = "".join(ch for ch in self.release_info.split("Benchmark")[0] if ch.isdigit())
        return f"V{self.version}R{digits}" if self.version and digits else self.version

    def rule_by_version(self, version: str) -> BenchmarkRule | None:
        """The rule with this Rule/version (SRG-OS-000001-GPOS-00001, RHEL-09-211010), or None."""
        return self._by_version.get(version.strip())

    def rule_by_group(self, group_id: str) -> BenchmarkRule | None:
        """The rule of this group id (V-203591), or None."""
        return self._by_group.get(group_id.strip())

    def rule_by_id(self, rule_id: str) -> BenchmarkRule | None:
        """By SV- rule id; a different revision suffix (rNNN) still matches the same rule."""
        stem = rule_id.split("r")[0] if rule_id.startswith("SV-") else rule_id
        for rule in self.rules:
            if rule.rule_id == rule_id or rule.rule_id.split("r")[0] == stem:
                return rule
        return None
