"""Comparing two :class:`~scc.posture.snapshot.PostureSnapshot` values: a pure function, no file access."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scc.posture.model import (
    CHANGED,
    WORSE,
    ComponentChange,
    ContentChange,
    DecisionChange,
    FindingChange,
    PostureDiff,
    StatusChange,
    status_direction,
)
from scc.posture.snapshot import ComponentState, Decision, FindingState, PostureSnapshot, RowState, RuleState

DEFAULT_FAIL_SEVERITY = "high"


def _severity_rank(word: str) -> int:
    from scc.facts.model import Severity

    return Severity.parse(word).rank


def _control_changes(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[StatusChange, ...]:
    from scc.report import control_sort_key

    changes = []
    for control in sorted(set(old) | set(new), key=control_sort_key):
        before, after = old.get(control, NOT_ASSESSED), new.get(control, NOT_ASSESSED)
        direction = _direction(before, after)
        if direction:
            changes.append(StatusChange(control, before, after, direction))
    return tuple(changes)


NOT_ASSESSED = "not-assessed"


def _direction(before: str, after: str) -> str | None:
    """Like status_direction, with NOT_ASSESSED (no rule reached it in that run): into an open verdict is
    worse (a new open item), any other change to or from it neutral."""
    if NOT_ASSESSED in (before, after):
        if before == after:
            return None
        return WORSE if after in ("partial", "not-satisfied") else CHANGED
    return status_direction(before, after)


def _state_changes(old: Mapping[str, RuleState | RowState],
                   new: Mapping[str, RuleState | RowState]) -> tuple[StatusChange, ...]:
    """Rules or checklist rows whose status changed, with the newer run's title, severity and SRG ids."""
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        was, now = before.status if before else NOT_ASSESSED, after.status if after else NOT_ASSESSED
        direction = _direction(was, now)
        shown = after or before
        if direction and shown is not None:
            srg = shown.srg if isinstance(shown, RuleState) else (shown.version,)
            changes.append(StatusChange(key, was, now, direction, shown.title, shown.severity, srg))
    return tuple(changes)


def _finding(state: FindingState, old_severity: str = "") -> FindingChange:
    return FindingChange(state.identity, state.vulnerability, state.package, state.severity, old_severity, state.due)


def _finding_changes(old: Mapping[str, FindingState], new: Mapping[str, FindingState]):
    opened = tuple(_finding(new[k]) for k in sorted(set(new) - set(old)))
    closed = tuple(_finding(old[k]) for k in sorted(set(old) - set(new)))
    resevered = tuple(_finding(new[k], old[k].severity) for k in sorted(set(old) & set(new))
                      if _severity_rank(old[k].severity) != _severity_rank(new[k].severity))
    return opened, closed, resevered


def _component_changes(old: Mapping[str, ComponentState] | None, new: Mapping[str, ComponentState] | None):
    if old is None or new is None:
        return None, None, None
    added = tuple(ComponentChange(k, new[k].name, new[k].versions) for k in sorted(set(new) - set(old)))
    removed = tuple(ComponentChange(k, old[k].name, old[k].versions) for k in sorted(set(old) - set(new)))
    upgraded = tuple(ComponentChange(k, new[k].name, new[k].versions, old[k].versions)
                     for k in sorted(set(old) & set(new)) if old[k].versions != new[k].versions)
    return added, removed, upgraded


def _decision_changes(old: PostureSnapshot, new: PostureSnapshot) -> tuple[DecisionChange, ...]:
    def keyed(snapshot: PostureSnapshot) -> dict[tuple[str, str], Decision]:
        return {(d.kind, d.rule): d for d in snapshot.decisions}

    before, after = keyed(old), keyed(new)
    today = new.assessed_on
    changes = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if now is None and was is not None:
            lapsed = was.expires is not None and today is not None and was.expires < today
            changes.append(_decision(was, "expired" if lapsed else "withdrawn"))
        elif was is None and now is not None:
            changes.append(_decision(now, "new"))
        elif was is not None and now is not None and (was.action, was.expires, was.by) != (now.action, now.expires, now.by):
            changes.append(_decision(now, "changed", was))
    return tuple(changes)


def _decision(decision: Decision, change: str, was: Decision | None = None) -> DecisionChange:
    return DecisionChange(decision.kind, decision.rule, change, decision.action,
                          decision.expires.isoformat() if decision.expires else "", decision.by,
                          was.action if was else "", was.expires.isoformat() if was and was.expires else "")


def _files(record: Any) -> dict[str, str]:
    """name -> "sha256 (release)" of a provenance list (rule packs or content)."""
    entries = record if isinstance(record, list) else []
    return {str(e.get("name")): " ".join(filter(None, (str(e.get("sha256", "")), str(e.get("release", "")))))
            for e in entries if isinstance(e, dict)}


def _content_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[ContentChange, ...]:
    changes = []
    if old.get("scc-version") != new.get("scc-version"):
        changes.append(ContentChange("scc-version", "scc", str(old.get("scc-version", "")), str(new.get("scc-version", ""))))
    settings_old, settings_new = _mapping(old.get("settings")), _mapping(new.get("settings"))
    for name in sorted(set(settings_old) | set(settings_new)):
        if settings_old.get(name) != settings_new.get(name):
            changes.append(ContentChange("setting", name, _word(settings_old.get(name)), _word(settings_new.get(name))))
    for kind, key in (("rule-pack", "rule-packs"), ("content", "content")):
        before, after = _files(old.get(key)), _files(new.get(key))
        for name in sorted(set(before) | set(after)):
            if before.get(name) != after.get(name):
                changes.append(ContentChange(kind, name, before.get(name, "absent"), after.get(name, "absent")))
    return tuple(changes)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _word(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _regressions(diff_parts: dict[str, Any], old: PostureSnapshot, new: PostureSnapshot,
                 fail_severity: str) -> tuple[str, ...]:
    threshold = _severity_rank(fail_severity)
    reasons = [f"control {c.id} got worse: {c.old} -> {c.new}" for c in diff_parts["controls"] if c.direction == WORSE]
    reasons += [f"rule {r.id} got worse: {r.old} -> {r.new}" for r in diff_parts["rules"] if r.direction == WORSE]
    reasons += [f"new open finding {f.vulnerability} in {f.package} ({f.severity})"
                for f in diff_parts["findings_opened"] if _severity_rank(f.severity) >= threshold]
    reasons += [f"finding {f.vulnerability} in {f.package} rose to {f.severity} (was {f.old_severity})"
                for f in diff_parts["findings_severity_changed"]
                if _severity_rank(f.severity) >= threshold > _severity_rank(f.old_severity)]
    if new.cat1_open > old.cat1_open:
        reasons.append(f"open CAT I rule results rose from {old.cat1_open} to {new.cat1_open}")
    return tuple(reasons)


def _image_name(reference: str) -> str:
    """The repository of an image reference, without tag and digest."""
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def compare(old: PostureSnapshot, new: PostureSnapshot, fail_severity: str = DEFAULT_FAIL_SEVERITY) -> PostureDiff:
    """What changed from ``old`` to ``new``; ``fail_severity`` is the lowest severity of a new open finding
    that counts as a regression (critical, high, medium, low, negligible or unknown)."""
    opened, closed, resevered = _finding_changes(old.findings, new.findings)
    added, removed, upgraded = _component_changes(old.components, new.components)
    parts: dict[str, Any] = {
        "controls": _control_changes(old.controls, new.controls),
        "rules": _state_changes(old.rules, new.rules),
        "checklist": _state_changes(old.checklist, new.checklist),
        "findings_opened": opened, "findings_closed": closed, "findings_severity_changed": resevered,
        "components_added": added, "components_removed": removed, "components_upgraded": upgraded,
        "decisions": _decision_changes(old, new),
        "content": _content_changes(old.provenance, new.provenance),
    }
    notes = [*old.notes, *new.notes]
    if _image_name(old.image) != _image_name(new.image):
        notes.append(f"the runs assessed different images ({old.image or 'unnamed'} and {new.image or 'unnamed'})")
    return PostureDiff(
        old=old.source, new=new.source, old_image=old.image, new_image=new.image,
        old_assessed_at=old.assessed_at, new_assessed_at=new.assessed_at,
        old_cat1=old.cat1_open, new_cat1=new.cat1_open, fail_severity=fail_severity,
        regressions=_regressions(parts, old, new, fail_severity),
        notes=tuple(notes), **parts,
    )
