"""Applying VEX statements to findings: the latest statement wins, a disagreement is reported.

A statement applies to a finding when it names the finding's vulnerability (id or alias, either
side) and one of its products is the finding's package (purl equal without qualifiers; a purl
without a version covers every version; a bare name covers the package of that name) or the whole
image (a pkg:oci purl / image reference / digest naming this image; no products at all).
A statement that lists versions (CycloneDX affects[].versions) applies only as vex_versions decides.
A finding marked not_affected or fixed keeps its record (and the statement that closed it) but no
longer counts as open. Running apply_vex twice gives the same result (merging is repeatable).
"""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

from scc.facts.identity import normalise_purl
from scc.facts.model import Finding, ImageFacts, ImageIdentity, VexStatement
from scc.facts.vex.vex_versions import statement_for

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def apply_vex(facts: ImageFacts) -> None:
    if not facts.vex:
        return
    image = _ImageRefs(facts.identity)
    by_id = _statements_by_id(facts.vex)
    for finding in facts.findings:
        candidates = _naming(by_id, finding)   # only these can apply (_applies needs a shared id)
        statements = _for_version(facts, finding, [facts.vex[i] for i in candidates
                                                   if _applies(facts.vex[i], finding, image)])
        if not statements:
            continue
        statements.sort(key=_order)
        winner = statements[-1]
        finding.vex = winner
        finding.state = winner.status
        finding.vex_conflicts = [s for s in statements[:-1] if s.status != winner.status]
        if finding.vex_conflicts:
            _note(facts, _conflict_note(finding, winner, finding.vex_conflicts))
    for product in sorted(image.matched_by_name_only):
        _note(facts, f"VEX product {product} was taken to be this image by name alone: "
                     "the inputs do not give the image digest to confirm it")


def _statements_by_id(statements: list[VexStatement]) -> dict[str, list[int]]:
    """Upper-case vulnerability id or alias -> the positions of the statements naming it."""
    index: dict[str, list[int]] = {}
    for position, statement in enumerate(statements):
        for name in {statement.vulnerability.upper(), *(a.upper() for a in statement.aliases)}:
            index.setdefault(name, []).append(position)
    return index


def _naming(index: dict[str, list[int]], finding: Finding) -> list[int]:
    """The positions (in document order) of the statements naming the finding's id or one of its aliases."""
    names = {finding.id.upper(), *(a.upper() for a in finding.aliases)}
    return sorted({position for name in names for position in index.get(name, ())})


def _for_version(facts: ImageFacts, finding: Finding, statements: list[VexStatement]) -> list[VexStatement]:
    """The statements as they apply to the installed version (CycloneDX affects[].versions)."""
    applied = []
    for statement in statements:
        effective, note = statement_for(statement, finding)
        if note:
            _note(facts, note)
        if effective is not None:
            applied.append(effective)
    return applied


def _order(statement: VexStatement) -> tuple:
    return (statement.timestamp or _EPOCH, statement.document, statement.format)


def _note(facts: ImageFacts, text: str) -> None:
    if text not in facts.notes:
        facts.notes.append(text)


def _conflict_note(finding: Finding, winner: VexStatement, losers: list[VexStatement]) -> str:
    earlier = "; ".join(f"{s.status.value} in {_source(s)}" for s in losers)
    tie = " (same timestamp: the tie is broken by document name)" if any(
        s.timestamp == winner.timestamp for s in losers) else ""
    return (
        f"VEX conflict on {finding.id} in {finding.package or finding.purl}: {earlier}; "
        f"{winner.status.value} in {_source(winner)} wins as the latest{tie}"
    )


def _source(statement: VexStatement) -> str:
    where = statement.evidence[0].cite() if statement.evidence else ""
    name = statement.document or statement.format or "VEX"
    when = statement.timestamp.isoformat() if statement.timestamp else "undated"
    return f"{statement.format} {name} ({when}{', ' + where if where else ''})"


def _applies(statement: VexStatement, finding: Finding, image: _ImageRefs) -> bool:
    finding_ids = {finding.id.upper(), *(a.upper() for a in finding.aliases)}
    statement_ids = {statement.vulnerability.upper(), *(a.upper() for a in statement.aliases)}
    if not finding_ids & statement_ids:
        return False
    if not statement.products:
        return True   # a statement with no product is about the image the document was given for
    return any(_product_covers(product, finding, image) for product in statement.products)


def _product_covers(product: str, finding: Finding, image: _ImageRefs) -> bool:
    if product.startswith("pkg:"):
        if product.startswith("pkg:oci/"):
            return image.matches_oci_purl(product)
        return _purl_covers(product, finding.purl)
    bare_name = "/" not in product and ":" not in product and "@" not in product
    if bare_name and finding.package and product.lower() == finding.package.lower():
        return True   # a bare package name (early OpenVEX)
    return image.matches_reference(product)


def _purl_covers(product: str, finding_purl: str) -> bool:
    canonical, target = normalise_purl(product), normalise_purl(finding_purl)
    if not canonical or not target:
        return False
    if canonical == target:
        return True
    has_version = "@" in canonical.rsplit("/", 1)[-1]
    return not has_version and target.split("@")[0] == canonical


class _ImageRefs:
    """The ways a VEX document can name this image: digest, repository name, tag."""

    def __init__(self, identity: ImageIdentity) -> None:
        self.digest = identity.digest.lower()
        self.name = identity.name.lower()
        self.tag = identity.tag
        self.matched_by_name_only: set[str] = set()

    def matches_oci_purl(self, product: str) -> bool:
        try:
            from packageurl import PackageURL

            purl = PackageURL.from_string(product)
        except ValueError:
            return False
        qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
        return self._matches(purl.name, unquote(purl.version or ""), qualifiers.get("tag", ""), product)

    def matches_reference(self, product: str) -> bool:
        """An image reference ('registry/repo:tag', 'repo@sha256:...'), a bare digest or an image name."""
        ref = product.strip().lower()
        if ref.startswith(("sha256:", "sha512:")):
            return bool(self.digest) and ref == self.digest
        name, _, digest = ref.partition("@")
        tag = ""
        last = name.rsplit("/", 1)[-1]
        if ":" in last:
            name, tag = name[: len(name) - len(last)] + last.split(":", 1)[0], last.split(":", 1)[1]
        return self._matches(name.rsplit("/", 1)[-1], digest, tag, product)

    def _matches(self, repository: str, digest: str, tag: str, product: str) -> bool:
        if not self.name and not self.digest:
            return False
        if digest and self.digest:
            return digest.lower() == self.digest
        own_repository = self.name.rsplit("/", 1)[-1]
        if not repository or repository.lower() != own_repository:
            return False
        if tag and self.tag and tag != self.tag:
            return False
        if digest:   # the product names a digest this run cannot compare
            self.matched_by_name_only.add(product)
        return True
