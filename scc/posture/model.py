"""What changed between two runs: :class:`PostureDiff` and the change records in it (plain frozen data).

The order of verdicts (what "worse" means) is defined once here, in :func:`status_direction`:

* satisfied and not-applicable are the best (proven, or decided not to apply),
* partial is worse than those, and not-satisfied is the worst;
* manual is *unknown*: a change into manual is reported, and is worse only when it comes from satisfied
  or not-applicable (a proof was lost); a change out of manual into partial or not-satisfied is worse
  (a new open item); into satisfied/not-applicable better; from partial/not-satisfied into manual is
  reported as neutral ("changed").
* ``closed`` (a package states a control is not open without saying which closed verdict it reached)
  equals any of satisfied, not-applicable or manual: no change is reported between them; into an open
  verdict is worse, out of one better.
* ``not-assessed`` (the rule, row or control is absent from one run; scc.posture.compare): appearing with
  an open verdict is worse, any other appearance or disappearance neutral.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from scc.posture.snapshot import CLOSED

WORSE, BETTER, CHANGED = "worse", "better", "changed"
_RANK = {"satisfied": 2, "not-applicable": 2, "partial": 1, "not-satisfied": 0}
_OPEN = ("partial", "not-satisfied")
#: the JSON shape's version: bumped when a field changes meaning or is removed
SCHEMA_VERSION = 1


def status_direction(old: str, new: str) -> str | None:
    """``"worse"``, ``"better"``, ``"changed"`` or None (no change) for a verdict going from old to new."""
    if old == new:
        return None
    if CLOSED in (old, new):
        other = new if old == CLOSED else old
        if other not in _OPEN:
            return None
        return WORSE if new in _OPEN else BETTER
    if old == "manual":
        return WORSE if new in _OPEN else BETTER if new in _RANK else CHANGED
    if new == "manual":
        return WORSE if old in ("satisfied", "not-applicable") else CHANGED
    if old in _RANK and new in _RANK:
        if _RANK[new] == _RANK[old]:
            return CHANGED
        return WORSE if _RANK[new] < _RANK[old] else BETTER
    return CHANGED


@dataclass(frozen=True)
class StatusChange:
    """A control, rule or checklist row whose verdict changed; ``direction`` is worse, better or changed.

    For a checklist row ``id`` is "<benchmark id> <V- id>", ``srg`` its SRG/STIG id and ``title`` the
    requirement's title."""

    id: str
    old: str
    new: str
    direction: str
    title: str = ""
    severity: str = ""                 # rules: the new severity
    srg: tuple[str, ...] = ()          # rules: the DISA SRG ids they evidence


@dataclass(frozen=True)
class FindingChange:
    """A vulnerability finding opened, closed or re-severitied (``old_severity`` set for the latter)."""

    identity: str
    vulnerability: str
    package: str
    severity: str
    old_severity: str = ""
    due: str = ""


@dataclass(frozen=True)
class ComponentChange:
    """A component added, removed, or whose version changed (``old_versions`` -> ``versions``)."""

    key: str
    name: str
    versions: tuple[str, ...]
    old_versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionChange:
    """An override or attestation that expired, was withdrawn, newly applies or changed terms.

    ``change``: expired (in effect before, past its expiry now), withdrawn (in effect before, gone
    before its expiry), new (in effect now, not before) or changed (action, expiry or person differ).
    """

    kind: str            # override | attestation
    rule: str
    change: str
    action: str
    expires: str
    by: str = ""
    old_action: str = ""
    old_expires: str = ""


@dataclass(frozen=True)
class ContentChange:
    """A rule pack, official content file, setting or the scc version that differs between the runs."""

    kind: str            # scc-version | setting | rule-pack | content
    name: str
    old: str
    new: str


@dataclass(frozen=True)
class PostureDiff:
    """The posture change from an OLD run to a NEW one (``scc.diff(old, new)``).

    Lists are sorted and empty when nothing changed. ``checklist`` holds the STIG/SRG checklist rows
    (DISA requirements, as STIG Viewer shows them) whose status changed; a row changes only when a rule
    evidencing it or the benchmark content changed, both reported, so rows add no regression of their own. ``regressed`` says whether posture got worse (see
    :attr:`regressions`); ``content`` non-empty means verdict changes may come from different rules or
    official content rather than from the image. ``components`` is None when either run's component
    inventory was not available (``notes`` say why).
    """

    old: str
    new: str
    old_image: str
    new_image: str
    old_assessed_at: str
    new_assessed_at: str
    controls: tuple[StatusChange, ...] = ()
    rules: tuple[StatusChange, ...] = ()
    checklist: tuple[StatusChange, ...] = ()
    findings_opened: tuple[FindingChange, ...] = ()
    findings_closed: tuple[FindingChange, ...] = ()
    findings_severity_changed: tuple[FindingChange, ...] = ()
    components_added: tuple[ComponentChange, ...] | None = ()
    components_removed: tuple[ComponentChange, ...] | None = ()
    components_upgraded: tuple[ComponentChange, ...] | None = ()
    decisions: tuple[DecisionChange, ...] = ()
    content: tuple[ContentChange, ...] = ()
    old_cat1: int = 0
    new_cat1: int = 0
    fail_severity: str = "high"
    regressions: tuple[str, ...] = field(default=())   # one sentence per reason posture regressed
    notes: tuple[str, ...] = ()

    @property
    def regressed(self) -> bool:
        """True when any control or rule got worse, a new open finding is at or above ``fail_severity``
        (or one rose to it), or the CAT I count increased."""
        return bool(self.regressions)

    @property
    def empty(self) -> bool:
        """True when nothing at all changed (verdicts, findings, components, decisions, content)."""
        return not any((self.controls, self.rules, self.checklist, self.findings_opened, self.findings_closed,
                        self.findings_severity_changed, self.components_added, self.components_removed,
                        self.components_upgraded, self.decisions, self.content, self.old_cat1 != self.new_cat1))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (docs/usage.md, "scc diff"): plain lists and strings, ``schema`` first."""
        data = asdict(self)
        data.pop("fail_severity")
        return {"schema": SCHEMA_VERSION, "regressed": self.regressed, "fail-severity": self.fail_severity,
                **{key.replace("_", "-"): _lists(value) for key, value in data.items()}}

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON (stable key order)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PostureDiff:
        """The diff back from :meth:`to_dict` (JSON round trip)."""
        types = {"controls": StatusChange, "rules": StatusChange, "checklist": StatusChange, "findings_opened": FindingChange,
                 "findings_closed": FindingChange, "findings_severity_changed": FindingChange,
                 "components_added": ComponentChange, "components_removed": ComponentChange,
                 "components_upgraded": ComponentChange, "decisions": DecisionChange, "content": ContentChange}
        values: dict[str, Any] = {"fail_severity": data["fail-severity"]}
        for name in cls.__dataclass_fields__:
            key = name.replace("_", "-")
            if name == "fail_severity" or key not in data:
                continue
            value = data[key]
            if name in types and value is not None:
                value = tuple(types[name](**{k.replace("-", "_"): tuple(v) if isinstance(v, list) else v
                                             for k, v in item.items()})
                              for item in value)
            elif isinstance(value, list):
                value = tuple(value)
            values[name] = value
        return cls(**values)

    def to_text(self) -> str:
        """Plain text for a terminal (the CLI's default)."""
        from scc.posture.render import text

        return text(self)

    def to_markdown(self) -> str:
        """Markdown fit for a pull-request comment: a summary line, tables, long lists collapsed."""
        from scc.posture.render import markdown

        return markdown(self)

    def _repr_html_(self) -> str:
        """The notebook view: the summary and the tables as escaped HTML."""
        from scc.posture.render import html

        return html(self)


def _lists(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k.replace("_", "-"): _lists(v) for k, v in value.items()}
    return value
