"""Attestations: a person's judgment closes a check the image facts cannot decide.

    attestations:
      - rule: SRG-OS-000480-GPOS-00227      # a rule id, SRG version, V- or SV- id; or control: ac-2
        status: passed                      # passed -> satisfied, failed -> not-satisfied
        explanation: Reviewed the account list with the system owner; no shared accounts.
        updated_by: J. Smith, ISSO
        updated: 2026-11-15
        frequency: quarterly                # or expires: 2027-02-15
        evidence: evidence/account-review-2026-11.pdf   # optional; its sha256 is cited
      - ssdf: PO.1.1                        # an SSDF task, or cisa: 1a (a CISA form item), as
        ...                                 #   frameworks/ssdf.yaml names it (scc.engine.ssdf applies these)

An attestation applies only to a rule whose verdict is still manual after facts, scans and overrides:
it never replaces an automated verdict (a note says so). Once updated + frequency (or expires) is
before the assessment day it no longer applies and the check is manual again, with a note. The most
recent attestation reaching a rule is the one that counts (a file is a history; ``scc attest``
appends). Frequencies are SAF's words (annually, semiannually, quarterly, monthly, every2weeks,
fortnightly, weekly, every3days, daily) or a number and unit (3d, 2w, 6m, 1y, 1.5y).

An ``ssdf:`` or ``cisa:`` entry names an SSDF task or CISA form item of the mapping (an unknown id is an
InputError); it never reaches a rule: the SSDF roll-up records it next to what the mapped rules show.
"""
from __future__ import annotations

import calendar
import hashlib
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from scc.clock import assessment_time, parse_time
from scc.engine.attestation_files import RawEntry, appended_text, latest_of_history, read_attestation_file
from scc.engine.model import Attestation, RuleResult, Verdict
from scc.engine.overrides import rule_aliases
from scc.errors import InputError, UsageError
from scc.facts.model import Evidence
from scc.yamlsafe import entry_text as _text

if TYPE_CHECKING:
    from scc.ssdf import SsdfMapping

STATUSES = ("passed", "failed")
_TARGETS = ("rule", "control", "control_id", "ssdf", "cisa")
#: the kinds of attestation that name an SSDF task or CISA form item, not a rule or control
PRACTICE_KINDS = ("ssdf", "cisa")
_KEYS = frozenset((*_TARGETS, "status", "explanation", "updated_by", "updated", "frequency", "expires",
                   "evidence", "evidence_sha256"))
_NAMED = {"annually": (12, 0), "yearly": (12, 0), "semiannually": (6, 0), "quarterly": (3, 0),
          "monthly": (1, 0), "every2weeks": (0, 14), "fortnightly": (0, 14), "biweekly": (0, 14),
          "weekly": (0, 7), "every3days": (0, 3), "daily": (0, 1)}
_AMOUNT = re.compile(r"(\d{1,4}(?:\.\d{1,4})?)\s*(d|days?|w|wks?|weeks?|m|mos?|months?|y|yrs?|years?)",
                     re.ASCII | re.IGNORECASE)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_CONTROL = re.compile(r"([a-z]{2})-0*(\d+)(?:\s*[.(]\s*0*(\d+)\s*\)?)?", re.ASCII | re.IGNORECASE)
_SV_STEM = re.compile(r"^(SV-\d+)r\d+_rule$", re.ASCII)
FREQUENCIES = tuple(_NAMED)


def load_attestations(path: Path, mapping: SsdfMapping | None = None) -> tuple[list[Attestation], list[str]]:
    """The attestations in ``path`` and notes on reading them; a malformed entry is an InputError.

    ``mapping``: the SSDF mapping ``ssdf:`` and ``cisa:`` ids are checked against (default: the shipped one).
    """
    document = read_attestation_file(path)
    notes: list[str] = []
    ids = _PracticeIds(mapping)
    attestations = [_parse(document.path, document.sha256, raw, notes, ids) for raw in document.entries]
    return attestations, notes


class _PracticeIds:
    """The SSDF task and CISA item ids of the mapping, read only when an entry names one."""

    def __init__(self, mapping: SsdfMapping | None) -> None:
        self._mapping = mapping

    @property
    def loaded(self) -> SsdfMapping | None:
        return self._mapping

    def mapping(self) -> SsdfMapping:
        if self._mapping is None:
            from scc.engine.ssdf import load_ssdf_mapping

            self._mapping = load_ssdf_mapping()
        return self._mapping

    def resolve(self, path: Path, where: str, kind: str, text: str) -> str:
        """The id as the mapping names it (po.1.1 -> PO.1.1, 1(a) -> 1a); InputError when it names none."""
        mapping = self.mapping()
        if kind == "ssdf":
            wanted, known, what = text.strip().upper(), [t.id for t in mapping.tasks], "an SSDF task"
        else:
            wanted, known, what = re.sub(r"[\s()]", "", text).lower(), [i.id for i in mapping.cisa_items], "a CISA form item"
        if wanted in known:
            return wanted
        raise InputError(path, f"{where}: {kind} {text!r} is not {what} of {mapping.source} "
                               f"(known: {', '.join(known[:3])} ... {known[-1]})")


def parse_frequency(text: str) -> tuple[int, int]:
    """(months, days) one period adds; ValueError for anything else."""
    word = "".join(text.lower().split())
    if word in _NAMED:
        return _NAMED[word]
    match = _AMOUNT.fullmatch(text.strip())
    if not match:
        raise ValueError(f"frequency {text!r} is not one of {', '.join(FREQUENCIES)} or a number with "
                         "d/w/m/y (e.g. 90d, 3m, 1y)")
    amount, unit = float(match.group(1)), match.group(2)[0].lower()
    months, days = {"d": (0, round(amount)), "w": (0, round(amount * 7)), "m": (round(amount), 0),
                    "y": (round(amount * 12), 0)}[unit]
    if months <= 0 and days <= 0:
        raise ValueError(f"frequency {text!r} is not a positive period")
    return months, days


def expiry(updated: date, frequency: str) -> date:
    """The last day an attestation made on ``updated`` with ``frequency`` applies."""
    months, days = parse_frequency(frequency)
    month_index = updated.month - 1 + months
    year, month = updated.year + month_index // 12, month_index % 12 + 1
    day = min(updated.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) + timedelta(days=days)


def control_id(text: str) -> str:
    """AC-2, ac-2, AC-02, AC-2(1), ac-2.1 -> the OSCAL id (ac-2, ac-2.1); '' when it is not one."""
    match = _CONTROL.fullmatch(text.strip())
    if not match:
        return ""
    family, number, enhancement = match.groups()
    return f"{family.lower()}-{int(number)}" + (f".{int(enhancement)}" if enhancement else "")


def _parse(path: Path, sha256: str, raw: RawEntry, notes: list[str], ids: _PracticeIds) -> Attestation:
    entry = {str(k).strip().lower(): v for k, v in raw.data.items()} if isinstance(raw.data, dict) else None
    where = raw.where
    if entry is None:
        raise InputError(path, f"{where}: must be a mapping")
    named = next((entry[k] for k in _TARGETS if isinstance(entry.get(k), (str, int)) and str(entry[k]).strip()), "")
    where = f"{where} ({str(named).strip()})" if named else where
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise InputError(path, f"{where}: unknown key {', '.join(map(repr, unknown))} "
                               f"(known: {', '.join(sorted(_KEYS))})")
    text = {key: _text(path, where, key, entry.get(key)) for key in _KEYS}
    targets = [key for key in _TARGETS if text[key]]
    if len(targets) != 1:
        raise InputError(path, f"{where}: give exactly one of rule, control, control_id, ssdf or cisa")
    kind, target = {"control_id": "id"}.get(targets[0], targets[0]), text[targets[0]]
    missing = [key for key in ("status", "explanation", "updated_by", "updated") if not text[key]]
    if missing:
        raise InputError(path, f"{where}: {', '.join(map(repr, missing))} {'is' if len(missing) == 1 else 'are'} "
                               "required")
    status = text["status"].lower()
    if status not in STATUSES:
        raise InputError(path, f"{where}: status must be passed or failed, not {text['status']!r} "
                               "(not-applicable is an override, not an attestation)")
    if kind == "control" and not control_id(target):
        raise InputError(path, f"{where}: control {target!r} is not an 800-53 control id (e.g. ac-2, AC-2(1))")
    if kind in PRACTICE_KINDS:
        target = ids.resolve(path, where, kind, target)
    updated = _day(path, where, "updated", text["updated"])
    return Attestation(
        target=control_id(target) if kind == "control" else target, kind=kind, status=status,
        explanation=text["explanation"], updated_by=text["updated_by"], updated=updated,
        expires=_expires(path, where, updated, text["frequency"], text["expires"]),
        frequency=text["frequency"],
        evidence=(Evidence(str(path), sha256, raw.pointer),
                  *_evidence(path, where, text["evidence"], text["evidence_sha256"], notes)),
        source=str(path), entry=raw.where)



def _day(path: Path, where: str, key: str, value: str) -> date:
    """A date (YYYY-MM-DD) or an RFC 3339 time (SAF writes toISOString()), as a UTC day."""
    try:
        if _ISO_DAY.fullmatch(value):
            return date.fromisoformat(value)
        moment = parse_time(value) if "T" in value or " " in value else None
    except ValueError as exc:
        raise InputError(path, f"{where}: {key} {value} is not a real date ({exc})") from exc
    if not isinstance(moment, datetime):
        raise InputError(path, f"{where}: {key} must be a date (YYYY-MM-DD) or an ISO time, not {value!r}")
    return moment.date()


def _expires(path: Path, where: str, updated: date, frequency: str, expires: str) -> date:
    if bool(frequency) == bool(expires):
        raise InputError(path, f"{where}: give frequency (e.g. quarterly, 90d) or expires (YYYY-MM-DD), "
                               f"{'not both' if frequency else 'one is required'}")
    if expires:
        return _day(path, where, "expires", expires)
    try:
        return expiry(updated, frequency)
    except (ValueError, OverflowError) as exc:
        raise InputError(path, f"{where}: {exc}") from exc


def _evidence(path: Path, where: str, name: str, recorded: str, notes: list[str]) -> tuple[Evidence, ...]:
    """The evidence file (relative to the attestation file), hashed; a recorded sha256 must still match."""
    if not name:
        if recorded:
            raise InputError(path, f"{where}: evidence_sha256 is only read with evidence")
        return ()
    recorded = recorded.lower()
    if recorded and not re.fullmatch(r"[0-9a-f]{64}", recorded):
        raise InputError(path, f"{where}: evidence_sha256 must be 64 hex digits")
    file = Path(name) if Path(name).is_absolute() else path.parent / name
    try:
        digest = _sha256(file)
    except FileNotFoundError:
        if not recorded:
            raise InputError(path, f"{where}: evidence file {file} not found") from None
        notes.append(f"attestation {where} in {path}: evidence file {file} is not present; "
                     "cited by its recorded sha256")
        return (Evidence(str(file), recorded),)
    except OSError as exc:
        raise InputError(path, f"{where}: cannot read evidence file {file}: {exc.strerror or exc}") from exc
    if recorded and digest != recorded:
        raise InputError(path, f"{where}: evidence file {file} has changed since the attestation "
                               f"(sha256 {digest[:12]}…, recorded {recorded[:12]}…); attest again")
    return (Evidence(str(file), digest),)


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- applying --------------------------------------------------------------------------------------
def _reaches(attestation: Attestation, result: RuleResult) -> bool:
    if attestation.kind in ("rule", "id") and _names_rule(attestation.target, result):
        return True
    if attestation.kind in ("control", "id"):
        return bool(control_id(attestation.target)) and control_id(attestation.target) in result.rule.controls
    return False


def _names_rule(target: str, result: RuleResult) -> bool:
    names = {n.upper() for n in rule_aliases(result)}
    names.update(m.group(1).upper() for n in names if (m := _SV_STEM.match(n)))  # SAF's SV-230223
    return target.upper() in names


def apply_attestations(results: list[RuleResult], attestations: list[Attestation], today: date) -> list[str]:
    """Close the manual rules the live attestations reach (in place); one note per one not applied.

    SSDF task and CISA item attestations are left to the SSDF roll-up (scc.engine.ssdf.ssdf_results).
    """
    notes: list[str] = []
    attestations = [a for a in attestations if a.kind not in PRACTICE_KINDS]
    reached: dict[int, list[Attestation]] = {}
    for attestation in attestations:
        matched = [r for r in results if _reaches(attestation, r)]
        if not matched:
            notes.append(f"{_label(attestation)} matches no rule or control scc assessed; ignored")
        for result in matched:
            reached.setdefault(id(result), []).append(attestation)
    applied: set[int] = set()
    for result in results:
        candidates = reached.get(id(result), [])
        if not candidates:
            continue
        attestation = latest_of_history(candidates, f"rule {result.rule.id}")
        by_control = not _names_rule(attestation.target, result)
        if by_control and result.verdict is not Verdict.MANUAL:
            continue        # a control's automated rules keep their verdicts; said below if none was manual
        note = _decide(result, attestation, today)
        applied.update(id(a) for a in candidates)     # the older ones are superseded, not unapplied
        if note:
            notes.append(note)
    reaching = {id(a) for candidates in reached.values() for a in candidates}
    for attestation in attestations:
        if id(attestation) in reaching and id(attestation) not in applied:
            notes.append(f"{_label(attestation)} closed no rule: every rule of control {attestation.target} "
                             "has an automated verdict, which an attestation never replaces")
    return notes


def _label(attestation: Attestation) -> str:
    return f"attestation for {attestation.target} ({attestation.source} {attestation.entry})"


def _decide(result: RuleResult, attestation: Attestation, today: date) -> str:
    label = _label(attestation)
    if result.verdict is not Verdict.MANUAL:
        return (f"{label} not applied to rule {result.rule.id}: its verdict {result.verdict.value} comes from "
                f"{result.origin}; an attestation closes manual checks only, never an automated verdict")
    if attestation.updated > today:
        return (f"{label} not applied to rule {result.rule.id}: dated {attestation.updated.isoformat()}, after the "
                f"assessment day {today.isoformat()}")
    if attestation.expires < today:
        result.statement = (f"{result.statement} An attestation by {attestation.updated_by} on "
                            f"{attestation.updated.isoformat()} expired on {attestation.expires.isoformat()}; "
                            "the check is manual again.")
        return (f"{label} expired on {attestation.expires.isoformat()} (by {attestation.updated_by}, "
                f"{attestation.updated.isoformat()}); rule {result.rule.id} is manual again")
    result.computed_verdict = result.computed_verdict or result.verdict
    result.verdict = attestation.verdict
    result.origin = "attestation"
    result.attestation = attestation
    result.evidence = [*result.evidence, *(e for e in attestation.evidence if e not in result.evidence)]
    result.statement = f"{result.statement} {attestation.sentence()}"
    return ""


# -- writing (scc attest) ----------------------------------------------------------------------------
def append_attestation(path: Path, *, rule: str | None, control: str | None, status: str, explanation: str,
                       updated_by: str, updated: str | None = None, frequency: str | None = None,
                       expires: str | None = None, evidence: Path | None = None, ssdf: str | None = None,
                       cisa: str | None = None, mapping: SsdfMapping | None = None) -> dict[str, str]:
    """Validate one attestation and append it to ``path`` (scc's YAML form); the entry as written.

    The file's existing entries are validated first, and nothing is written unless the new text reads
    back as exactly those entries plus this one.
    """
    targets = {k: str(v) for k, v in (("rule", rule), ("control", control), ("ssdf", ssdf), ("cisa", cisa)) if v}
    if len(targets) != 1:
        raise UsageError("give --rule ID, --control ID, --ssdf TASK or --cisa ITEM (one of them)")
    if bool(frequency) == bool(expires):
        raise UsageError("give --frequency (e.g. quarterly, 90d) or --expires YYYY-MM-DD (one of them)")
    ids = _PracticeIds(mapping)
    kind, target = next(iter(targets.items()))
    if kind in PRACTICE_KINDS:    # written as the mapping names it, refused before anything is written
        target = ids.resolve(path, "the new attestation", kind, target)
    entry: dict[str, str] = {kind: target}
    entry.update(status=status, explanation=" ".join(explanation.split()), updated_by=" ".join(updated_by.split()),
                 updated=updated or assessment_time().date().isoformat())
    entry.update({"frequency": frequency} if frequency else {"expires": str(expires)})
    if evidence is not None:
        try:
            digest = _sha256(evidence)
        except OSError as exc:
            raise InputError(evidence, f"cannot read evidence file: {exc.strerror or exc}") from exc
        entry["evidence"] = Path(os.path.relpath(evidence.resolve(), path.resolve().parent)).as_posix()
        entry["evidence_sha256"] = digest
    if path.exists():
        load_attestations(path, ids.loaded)      # an existing malformed entry is refused before anything is written
    attestation = _parse(path, "", RawEntry("the new attestation", "", dict(entry)), [], ids)
    text = appended_text(path, entry)
    from scc.atomic import write_bytes_atomic

    write_bytes_atomic(path, text.encode("utf-8"))
    return {**entry, "valid_until": attestation.expires.isoformat()}
