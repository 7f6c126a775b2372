"""OpenSSF Scorecard checks (SR-6 supplier assessment, SA-9, SR-3): the Scorecard results of the source
repositories of the image's components, or of the image's own source, against the rule's minimums.

A result counts only when it is current (no older than ``max_age_days`` on the assessment clock) and it
was matched to a component by a field that names the repository (scc.engine.scorecard: purl, an SBOM
link, the provenance source). A score of -1 is Scorecard's "inconclusive": it proves nothing, so a
required check at -1 keeps the verdict partial. A component with no result is never satisfied: it is
counted and named for a person to assess.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import at_most, capped, component_label, day, listing, manual, outcome, plural
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.engine.scorecard import (
    SourceLink,
    component_links,
    image_source_links,
    results_by_repository,
)
from scc.errors import RulePackError
from scc.facts.counting import is_software
from scc.facts.model import Evidence, ImageFacts, ScorecardResult

_SUBJECTS = ("components", "image-source")
_EVIDENCE_CAP = 50   # shortfalls first: a result with thousands of matches cites the first of them
_HOW = ("run `scorecard --repo=REPO --format json` (or fetch api.scorecard.dev/projects/REPO) for each source "
        "repository and supply the JSON")


@dataclass(frozen=True)
class ScorecardParams(CheckParams):
    """Parameters of `scorecard_repositories` (rule packs set them under ``params:``)."""

    subject: str = "components"                      # components | image-source
    min_score: float = 0.0                           # the aggregate score a repository must reach
    required_checks: dict[str, int] = field(default_factory=dict)   # check name -> minimum score (0-10)
    max_age_days: int = 90                           # a result older than this on the assessment clock is stale
    reference_types: list[str] = field(default_factory=lambda: ["vcs", "website", "downloadLocation", "homepage"])
    best_verdict: str = "satisfied"                  # the ceiling where the control asks more than Scorecard shows
    limit: str = ""                                  # what the rest is, appended when the ceiling applies

    def __post_init__(self) -> None:
        if self.subject not in _SUBJECTS:
            raise RulePackError(f"scorecard_repositories: subject {self.subject!r} is not one of {', '.join(_SUBJECTS)}")
        bad = {name: minimum for name, minimum in self.required_checks.items() if not 0 <= minimum <= 10}
        if bad:
            raise RulePackError(f"scorecard_repositories: required_checks minimums must be 0-10, got {bad}")


@dataclass(frozen=True)
class _Match:
    """One subject (a component, or the image) linked to the newest Scorecard result of its repository."""

    label: str
    link: SourceLink
    result: ScorecardResult


@dataclass
class _Judgement:
    """What a matched result shows against the params: shortfalls (proven) and gaps (not proven)."""

    shortfalls: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def _judge(match: _Match, params: ScorecardParams, ctx: CheckContext) -> _Judgement:
    result, judged = match.result, _Judgement(evidence=list(_result_evidence(match)))
    if result.date is None:
        judged.gaps.append("the result is undated")
        return judged
    age = (ctx.now - result.date).days
    if age > params.max_age_days:
        judged.gaps.append(f"the result of {day(result.date)} is {age} days old (limit {params.max_age_days})")
        return judged
    if params.min_score > 0:
        if result.score is None or result.score < 0:
            judged.gaps.append("no aggregate score (every check inconclusive)")
        elif result.score < params.min_score:
            judged.shortfalls.append(f"score {result.score:g} < {params.min_score:g}")
    checks = {c.name.lower(): c for c in result.checks}
    for name, minimum in params.required_checks.items():
        found = checks.get(name.lower())
        if found is None:
            judged.gaps.append(f"{name} not run")
        else:  # met, short or inconclusive, the verdict states this check's score: cite it
            judged.evidence.extend(found.evidence)
            if found.score < 0:
                judged.gaps.append(f"{name} inconclusive ({found.reason or 'score -1'})")
            elif found.score < minimum:
                judged.shortfalls.append(f"{name} {found.score} < {minimum}")
    return judged


def _result_evidence(match: _Match) -> tuple[Evidence, ...]:
    """The result's own spots, then where the subject named its repository."""
    return match.result.evidence + match.link.evidence


def _matches(facts: ImageFacts, params: ScorecardParams) -> tuple[list[_Match], list[str], list[str], int]:
    """(matches, subjects whose repository has no result, subjects naming no repository, subject count).

    The subjects are the software components, or the image's source repositories (each provenance source
    and git material), as the rule's ``subject`` says."""
    index = results_by_repository(facts.scorecards)
    if params.subject == "image-source":
        links = image_source_links(facts)
        hits = [_Match("the image", link, index[link.repository][0])
                for link in links if link.repository in index]
        unscored = [f"{link.repository} ({link.route})" for link in links if link.repository not in index]
        return hits, unscored, [], len(links)
    matches, unscored, unnamed = [], [], []
    software = [c for c in facts.components if is_software(c)]
    for component in software:
        links = component_links(component, params.reference_types)
        hit = next((link for link in links if link.repository in index), None)
        if hit is not None:
            matches.append(_Match(component_label(component), hit, index[hit.repository][0]))
        elif links:
            unscored.append(f"{component_label(component)} ({links[0].repository})")
        else:
            unnamed.append(component_label(component))
    return matches, unscored, unnamed, len(software)


@check("scorecard_repositories", ScorecardParams, consults=("scorecards", "components", "provenance"))
def scorecard_repositories(facts: ImageFacts, params: ScorecardParams, ctx: CheckContext) -> CheckOutcome:
    """The OpenSSF Scorecard results of the `subject`'s source repositories are current and reach `min_score`
    and each `required_checks` minimum. A shortfall in a current result -> not-satisfied citing it; a stale,
    undated or inconclusive result, or a subject with no result -> partial (or manual when none has one);
    `best_verdict` caps a satisfied verdict, with `limit` saying what a person confirms."""
    return at_most(_decide(facts, params, ctx), params.best_verdict, params.limit)


def _decide(facts: ImageFacts, params: ScorecardParams, ctx: CheckContext) -> CheckOutcome:
    matches, unscored, unnamed, total = _matches(facts, params)
    judged = [(m, _judge(m, params, ctx)) for m in matches]
    details = _details(facts, params, judged, unscored, unnamed, total)
    if not matches:
        return _none_matched(facts, params, unscored, unnamed, details)
    short = [(m, j) for m, j in judged if j.shortfalls]
    gaps = [(m, j) for m, j in judged if j.gaps and not j.shortfalls]
    rest = _unassessed(params, unscored, unnamed)
    if short:
        return outcome(
            Verdict.NOT_SATISFIED,
            _sentences(_falls_short(short, params), _unproven(gaps), rest),
            _capped([e for _, j in short for e in j.evidence] + [e for _, j in gaps for e in j.evidence]), **details)
    if gaps or rest:
        passing = len(judged) - len(gaps)
        return outcome(
            Verdict.PARTIAL,
            _sentences(f"{plural(passing, 'current Scorecard result')} for {_subject_words(params, total)} "
                       f"meet{'s' if passing == 1 else ''} {_minimums(params)}.", _unproven(gaps), rest),
            _capped([e for _, j in gaps for e in j.evidence] + [e for _, j in judged for e in j.evidence]),
            **details)
    return outcome(
        Verdict.SATISFIED,
        f"Every {'component' if params.subject == 'components' else 'source repository of the image'} "
        f"({plural(len(judged), 'result')}) has a current OpenSSF Scorecard result meeting {_minimums(params)}: "
        f"{listing([_cite(m) for m, _ in judged], 3)}.",
        _capped([e for _, j in judged for e in j.evidence]), **details)


def _capped(evidence: list[Evidence]) -> list[Evidence]:
    return list(dict.fromkeys(evidence))[:_EVIDENCE_CAP]


def _none_matched(facts: ImageFacts, params: ScorecardParams, unscored: list[str], unnamed: list[str],
                  details: dict[str, Any]) -> CheckOutcome:
    supplied = [r.repository for r in facts.scorecards]
    if params.subject == "image-source" and not unscored:
        return manual("No provenance names the image's source repository, so no Scorecard result can be matched "
                      "to it; supply the image's SLSA provenance, or assess its source repository in person.", **details)
    if not supplied:
        return manual(_sentences(f"No OpenSSF Scorecard result was supplied; {_HOW}.",
                                 _unassessed(params, unscored, unnamed)), _source_evidence(facts, params), **details)
    return manual(
        _sentences(f"None of the {plural(len(supplied), 'Scorecard result')} supplied ({listing(supplied, 3)}) "
                   f"describes {'a component' if params.subject == 'components' else 'the image source'}: "
                   f"{_HOW}.", _unassessed(params, unscored, unnamed)),
        _capped([e for r in facts.scorecards for e in r.evidence[:1]] + _source_evidence(facts, params)), **details)


def _source_evidence(facts: ImageFacts, params: ScorecardParams) -> list[Evidence]:
    """Where the image's source repositories are named (the provenance), for an image-source rule."""
    if params.subject != "image-source":
        return []
    return [e for link in image_source_links(facts) for e in link.evidence]


def _falls_short(short: list[tuple[_Match, _Judgement]], params: ScorecardParams) -> str:
    named = [f"{_cite(m)} ({'; '.join(j.shortfalls)})" for m, j in short]
    return (f"{plural(len(short), 'source repository result')} fall{'s' if len(short) == 1 else ''} short of "
            f"{_minimums(params)}: {listing(named, 3)}.")


def _unproven(gaps: list[tuple[_Match, _Judgement]]) -> str:
    if not gaps:
        return ""
    named = [f"{_cite(m)} ({'; '.join(j.gaps)})" for m, j in gaps]
    return f"{plural(len(gaps), 'result')} prove{'s' if len(gaps) == 1 else ''} nothing yet: {listing(named, 3)}."


def _sentences(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _unassessed(params: ScorecardParams, unscored: list[str], unnamed: list[str]) -> str:
    """The sentence naming what a person must assess: subjects with no result, and those naming no repository."""
    noun = "component" if params.subject == "components" else "source repository"
    parts = []
    if unscored:
        parts.append(f"{plural(len(unscored), noun, noun[:-1] + 'ies' if noun.endswith('y') else None)} "
                     f"{'from a known repository ' if params.subject == 'components' else ''}with no Scorecard "
                     f"result ({listing(unscored, 3)})")
    if unnamed:
        parts.append(f"{plural(len(unnamed), 'component')} whose source repository neither purl nor SBOM link "
                     f"names ({listing(unnamed, 3)})")
    if not parts:
        return ""
    whose = "the suppliers of " if params.subject == "components" else ""
    return f"A person must assess {whose}{'; and '.join(parts)}."


def _cite(match: _Match) -> str:
    result = match.result
    score = f"score {result.score:g}" if result.score is not None else "no score"
    return f"{result.repository} ({score}, {day(result.date)}) for {match.label} via {match.link.route}"


def _minimums(params: ScorecardParams) -> str:
    wanted = [f"score {params.min_score:g}"] if params.min_score > 0 else []
    wanted += [f"{name} {minimum}" for name, minimum in params.required_checks.items()]
    return f"the minimums ({', '.join(wanted) or 'none set'}; at most {params.max_age_days} days old)"


def _subject_words(params: ScorecardParams, total: int) -> str:
    return plural(total, "component") if params.subject == "components" else "the image's source"


def _details(facts: ImageFacts, params: ScorecardParams, judged: list[tuple[_Match, _Judgement]],
             unscored: list[str], unnamed: list[str], total: int) -> dict[str, Any]:
    return {
        "subject": params.subject,
        "subjects": total,
        "matched": [{"subject": m.label, "repository": m.result.repository, "route": m.link.route,
                     "field": m.link.field, "score": m.result.score, "date": day(m.result.date),
                     "commit": m.result.commit, "shortfalls": j.shortfalls, "gaps": j.gaps}
                    for m, j in judged[:20]],
        "matched_count": len(judged),
        "unscored": capped(unscored),
        "unnamed": capped(unnamed),
        "results": len(facts.scorecards),
    }
