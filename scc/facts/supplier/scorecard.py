"""OpenSSF Scorecard results: ``scorecard --format json`` (v4 and v5), the Scorecard API and the cron export.

One shape serves them all (Scorecard's "JSON v2": ``date``, ``repo{name,commit}``,
``scorecard{version,commit}``, ``score``, ``checks[{name,score,reason,details,documentation{url,short}}]``,
``metadata``). The CLI writes one object; the API (api.scorecard.dev/projects/github.com/ORG/REPO)
returns the same object with ``details`` null and ``metadata`` a string; the weekly cron writes one
object per line (JSON lines), and a collection of results may be given as a JSON array. v4 wrote the
date as YYYY-MM-DD, v5 as RFC 3339.

Recorded as written: the repository name, the analysed commit, the date, the Scorecard version, the
aggregate score and each check's name, score and reason (-1 = inconclusive). Which components a
result describes, and whether a score is enough, are the engine's decisions (scc.engine.scorecard).
``--format intoto`` wraps the same result in an in-toto statement (read through the in-toto reader,
``from_statement``). ``--format probe`` and ``--format raw`` output carry no check scores: they are refused with the
command that writes the scored form.
"""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime
from typing import Any

from scc.clock import parse_time
from scc.facts import jsonfields as jf
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.model import Evidence, ImageFacts, ScorecardCheck, ScorecardResult
from scc.facts.source import InputDocument, json_pointer

_RERUN = "run `scorecard --repo=REPO --format json` (or fetch api.scorecard.dev/projects/github.com/ORG/REPO)"


def _is_result_head(value: Any) -> bool:
    """The two objects every Scorecard JSON form carries: repo{name} and scorecard{version}."""
    return (isinstance(value, dict) and isinstance(value.get("repo"), dict) and "name" in value["repo"]
            and isinstance(value.get("scorecard"), dict) and "version" in value["scorecard"])


def _results_of(doc: InputDocument) -> list[tuple[str, Any]] | None:
    """(pointer prefix, object) for each result the document holds, or None when it is not Scorecard's."""
    data = doc.json
    if isinstance(data, dict):
        return [("", data)] if _is_result_head(data) else None
    if isinstance(data, list):
        return [(f"/{i}", item) for i, item in enumerate(data)] if data and _is_result_head(data[0]) else None
    if doc.head.lstrip().startswith("{") and '"scorecard"' in doc.head:
        lines = doc.json_lines
        if lines and _is_result_head(lines[0]):
            return _numbered(doc, lines)
    return None


def _numbered(doc: InputDocument, lines: list[Any]) -> list[tuple[str, Any]]:
    """JSON lines, each cited as ``line N`` (blank lines skipped as json_lines skips them)."""
    numbers = [n for n, text in enumerate((doc.text or "").splitlines(), start=1) if text.strip()]
    return [(f"line {n}", value) for n, value in zip(numbers, lines, strict=True)]


class ScorecardReader(Reader):
    format = "openssf-scorecard"

    def sniff(self, doc: InputDocument) -> bool:
        if '"repo"' not in doc.head or '"scorecard"' not in doc.head:
            return False
        return _results_of(doc) is not None

    def read(self, doc: InputDocument) -> ImageFacts:
        results = _results_of(doc) or []
        facts = ImageFacts()
        for prefix, value in results:
            facts.scorecards.append(_result(doc, value, prefix, _where(prefix)))
        versions = ", ".join(dict.fromkeys(r.scorecard_version for r in facts.scorecards if r.scorecard_version))
        facts.inputs = [input_record(doc, self.format, facts, "", f"scorecard {versions}".strip())]
        return facts


def _where(prefix: str) -> str:
    """The result's place for an error message: 'document', '[3]' (array item) or 'line 5' (JSON lines)."""
    if not prefix:
        return "document"
    return f"[{prefix[1:]}]" if prefix.startswith("/") else prefix


def _result(doc: InputDocument, value: Any, prefix: str, where: str) -> ScorecardResult:
    data = jf.obj(doc, value, where)
    if not _is_result_head(data):
        raise doc.fail(f"{where}: not a Scorecard result (no repo.name and scorecard.version)")
    if "checks" not in data:
        form = "probe" if "findings" in data else "raw" if "results" in data else "unscored"
        raise doc.fail(f"{where}: Scorecard {form} output carries no check scores; {_RERUN}")
    repo = jf.obj(doc, data["repo"], f"{where}.repo")
    tool = jf.obj(doc, data["scorecard"], f"{where}.scorecard")
    name = jf.text(doc, repo.get("name"), f"{where}.repo.name").strip()
    if not name:
        raise doc.fail(f"{where}.repo.name: empty (the result names no repository)")
    return ScorecardResult(
        repository=name,
        commit=jf.text(doc, repo.get("commit"), f"{where}.repo.commit"),
        date=_date(doc, data.get("date"), f"{where}.date"),
        scorecard_version=jf.text(doc, tool.get("version"), f"{where}.scorecard.version"),
        scorecard_commit=jf.text(doc, tool.get("commit"), f"{where}.scorecard.commit"),
        score=_score(doc, data.get("score"), f"{where}.score"),
        checks=tuple(_check(doc, item, f"{where}.checks[{i}]", _at(doc, prefix, "checks", i))
                     for i, item in enumerate(jf.arr(doc, data["checks"], f"{where}.checks"))),
        evidence=(_at(doc, prefix, "repo"),) + ((_at(doc, prefix, "score"),) if "score" in data else ()),
    )


def _at(doc: InputDocument, prefix: str, *parts: object) -> Evidence:
    return doc.evidence(f"{prefix}{json_pointer(*parts)}")


def _date(doc: InputDocument, value: Any, where: str) -> datetime | None:
    text = jf.text(doc, value, where).strip()
    if not text:
        return None
    moment = parse_time(text)
    if moment is None:
        raise doc.fail(f"{where}: {text[:40]!r} is not a date (Scorecard writes YYYY-MM-DD or RFC 3339)")
    return moment


def _score(doc: InputDocument, value: Any, where: str) -> float | None:
    score = jf.number(doc, value, where)
    if score is not None and (not math.isfinite(score) or not -1 <= score <= 10):
        raise doc.fail(f"{where}: {score} is outside Scorecard's range (-1 to 10)")
    return score


def _check(doc: InputDocument, value: Any, where: str, evidence: Evidence) -> ScorecardCheck:
    item = jf.obj(doc, value, where)
    name = jf.text(doc, item.get("name"), f"{where}.name").strip()
    if not name:
        raise doc.fail(f"{where}.name: missing (every Scorecard check is named)")
    score = _score(doc, item.get("score"), f"{where}.score")
    if score is None or score != int(score):
        raise doc.fail(f"{where}.score: expected an integer from -1 to 10 (Scorecard check scores are whole)")
    documentation = jf.obj(doc, item.get("documentation"), f"{where}.documentation")
    return ScorecardCheck(
        name=name,
        score=int(score),
        reason=jf.text(doc, item.get("reason"), f"{where}.reason"),
        documentation=jf.text(doc, documentation.get("url"), f"{where}.documentation.url"),
        details=tuple(jf.texts(doc, item.get("details"), f"{where}.details")),
        evidence=(evidence,),
    )


STATEMENT_PREDICATE = "https://scorecard.dev/result/v0.1"   # `scorecard --format intoto` (v5.1+)


def from_statement(doc: InputDocument, statement: dict[str, Any], predicate_at: str, statement_at: str) -> ScorecardResult:
    """The result an in-toto statement of ``STATEMENT_PREDICATE`` carries (the in-toto reader hands it over).

    Scorecard leaves ``repo`` out of the predicate and names the repository in the statement's one subject
    (name, digest.gitCommit), which is cited for it; ``predicate_at`` / ``statement_at`` are the pointers of
    the predicate and the statement in ``doc``."""
    subjects = jf.objs(doc, statement.get("subject"), f"{statement_at or '/'} subject")
    if len(subjects) != 1:
        raise doc.fail(f"{statement_at or '/'}: a Scorecard statement names one repository as its subject, "
                       f"found {len(subjects)}")
    digest = jf.obj(doc, subjects[0].get("digest"), f"{statement_at}/subject/0/digest")
    repo = {"name": jf.text(doc, subjects[0].get("name"), f"{statement_at}/subject/0/name"),
            "commit": jf.text(doc, digest.get("gitCommit"), f"{statement_at}/subject/0/digest/gitCommit")}
    predicate = jf.obj(doc, statement.get("predicate"), predicate_at)
    result = _result(doc, {**predicate, "repo": repo}, predicate_at, predicate_at)
    return replace(result, evidence=(doc.evidence(f"{statement_at}/subject/0"),) + result.evidence[1:])


READER = ScorecardReader()
