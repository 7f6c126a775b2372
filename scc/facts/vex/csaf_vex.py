"""CSAF 2.0 VEX documents (document.category csaf_vex): product_status becomes VexStatements.

Owns the CSAF product tree (branches at any depth, full_product_names, relationships such as
default_component_of that compose a product id from a component and a platform) and turns each
product id into the identifier scc matches findings by: the purl the tree gives (the component's
purl for a composed id), else the product name. Per vulnerability, products that share a status,
flag (justification), impact threat and remediation form one VexStatement.
"""
from __future__ import annotations

from typing import Any

from scc.clock import parse_time
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.jsonfields import as_obj
from scc.facts.model import FindingState, ImageFacts, VexStatement
from scc.facts.source import InputDocument, json_pointer

CATEGORIES = ("csaf_vex", "csaf_security_advisory")

STATUSES = {
    "known_not_affected": FindingState.NOT_AFFECTED,
    "known_affected": FindingState.AFFECTED,
    "first_affected": FindingState.AFFECTED,
    "last_affected": FindingState.AFFECTED,
    "fixed": FindingState.FIXED,
    "first_fixed": FindingState.FIXED,
    "under_investigation": FindingState.UNDER_INVESTIGATION,
}   # "recommended" names a version to move to, not a status of the product: not a statement

_MAX_BRANCH_DEPTH = 64


class CsafVexReader(Reader):
    format = "csaf-vex"

    def sniff(self, doc: InputDocument) -> bool:
        data = doc.json
        document = data.get("document") if isinstance(data, dict) else None
        return (
            isinstance(document, dict)
            and document.get("category") in CATEGORIES
            and "csaf_version" in document
            and isinstance(data.get("vulnerabilities"), list)
        )

    def read(self, doc: InputDocument) -> ImageFacts:
        data = doc.json
        header = _header(doc, data["document"])
        products = ProductTree(doc, data.get("product_tree") or {})
        facts = ImageFacts()
        for index, vuln in enumerate(data["vulnerabilities"]):
            facts.vex.extend(_vulnerability_statements(doc, index, vuln, products, header))
        version = str(data["document"].get("csaf_version", ""))
        facts.inputs = [input_record(doc, self.format, facts, version, header["tool"])]
        return facts


def _header(doc: InputDocument, document: dict) -> dict[str, Any]:
    tracking = document.get("tracking")
    if not isinstance(tracking, dict):
        raise doc.fail("CSAF /document/tracking is missing")
    publisher = as_obj(document.get("publisher"))
    engine = (tracking.get("generator") or {}).get("engine") if isinstance(tracking.get("generator"), dict) else {}
    engine = engine if isinstance(engine, dict) else {}
    return {
        "author": _text(publisher.get("name")),
        "timestamp": parse_time(tracking.get("current_release_date")) or parse_time(tracking.get("initial_release_date")),
        "document": _text(tracking.get("id")),
        "tool": " ".join(filter(None, (_text(engine.get("name")), _text(engine.get("version"))))),
    }


class ProductTree:
    """product_id -> the identifier a VEX statement about it is matched by (purl, else name)."""

    def __init__(self, doc: InputDocument, tree: Any) -> None:
        if not isinstance(tree, dict):
            raise doc.fail("CSAF /product_tree must be an object")
        self.doc = doc
        self.names: dict[str, str] = {}
        self.purls: dict[str, str] = {}
        self.groups: dict[str, list[str]] = {}
        self._walk_branches(tree.get("branches") or [], "/product_tree/branches", 0)
        for product in _list(tree.get("full_product_names")):
            self._add(product)
        for index, relation in enumerate(_list(tree.get("relationships"))):
            self._relationship(index, relation)
        for group in _list(tree.get("product_groups")):
            if isinstance(group, dict) and isinstance(group.get("group_id"), str):
                self.groups[group["group_id"]] = [p for p in _list(group.get("product_ids")) if isinstance(p, str)]

    def identifier(self, product_id: str) -> str:
        return self.purls.get(product_id) or self.names.get(product_id) or product_id

    def expand(self, entry: dict) -> list[str]:
        """The product ids a flag/threat/remediation applies to (product_ids plus group_ids)."""
        ids = [p for p in _list(entry.get("product_ids")) if isinstance(p, str)]
        for group in _list(entry.get("group_ids")):
            ids.extend(self.groups.get(group, []) if isinstance(group, str) else [])
        return ids

    def _walk_branches(self, branches: Any, where: str, depth: int) -> None:
        if depth > _MAX_BRANCH_DEPTH:
            raise self.doc.fail(f"CSAF {where}: product tree nested deeper than {_MAX_BRANCH_DEPTH} branches")
        if not isinstance(branches, list):
            raise self.doc.fail(f"CSAF {where} must be a list")
        for index, branch in enumerate(branches):
            if not isinstance(branch, dict):
                raise self.doc.fail(f"CSAF {where}/{index} must be an object")
            if "product" in branch:
                self._add(branch["product"])
            if "branches" in branch:
                self._walk_branches(branch["branches"], f"{where}/{index}/branches", depth + 1)

    def _add(self, product: Any) -> None:
        if not isinstance(product, dict) or not isinstance(product.get("product_id"), str):
            return
        pid = product["product_id"]
        self.names[pid] = _text(product.get("name")) or pid
        purl = _purl(product.get("product_identification_helper"))
        if purl:
            self.purls[pid] = purl

    def _relationship(self, index: int, relation: Any) -> None:
        if not isinstance(relation, dict) or not isinstance(relation.get("full_product_name"), dict):
            raise self.doc.fail(f"CSAF /product_tree/relationships/{index} has no full_product_name")
        composed = relation["full_product_name"]
        self._add(composed)
        pid = composed.get("product_id")
        component = relation.get("product_reference")
        if isinstance(pid, str) and pid not in self.purls and component in self.purls:
            self.purls[pid] = self.purls[component]   # the component, as installed on/in the platform


def _purl(helper: Any) -> str:
    if not isinstance(helper, dict):
        return ""
    if isinstance(helper.get("purl"), str):
        return helper["purl"].strip()
    purls = helper.get("purls")   # CSAF 2.1
    return purls[0].strip() if isinstance(purls, list) and purls and isinstance(purls[0], str) else ""


def _vulnerability_statements(
    doc: InputDocument, index: int, vuln: Any, products: ProductTree, header: dict
) -> list[VexStatement]:
    where = json_pointer("vulnerabilities", index)
    if not isinstance(vuln, dict):
        raise doc.fail(f"CSAF {where} must be an object")
    ids = [_text(vuln.get("cve"))] + [_text(i.get("text")) for i in _list(vuln.get("ids")) if isinstance(i, dict)]
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids:
        raise doc.fail(f"CSAF {where} has neither 'cve' nor 'ids'")
    status_map = vuln.get("product_status") or {}
    if not isinstance(status_map, dict):
        raise doc.fail(f"CSAF {where}/product_status must be an object")
    details = _product_details(vuln, products)
    statements = []
    for category, state in STATUSES.items():
        product_ids = status_map.get(category) or []
        if not isinstance(product_ids, list):
            raise doc.fail(f"CSAF {where}/product_status/{category} must be a list")
        groups: dict[tuple[str, str, str], list[str]] = {}
        for pid in product_ids:
            if isinstance(pid, str):
                groups.setdefault(details.get(pid, ("", "", "")), []).append(products.identifier(pid))
        for (justification, impact, action), members in groups.items():
            statements.append(VexStatement(
                vulnerability=ids[0], status=state, products=tuple(dict.fromkeys(members)),
                justification=justification, impact_statement=impact, action_statement=action,
                author=header["author"], timestamp=header["timestamp"], document=header["document"],
                format="csaf-vex", evidence=(doc.evidence(f"{where}/product_status/{category}"),),
                aliases=tuple(ids[1:]), cwes=_cwe(vuln),
            ))
    return statements


def _cwe(vuln: dict) -> tuple[str, ...]:
    """CSAF ``cwe.id`` ("CWE-506"), as written."""
    cwe = vuln.get("cwe")
    text = _text(cwe.get("id")) if isinstance(cwe, dict) else ""
    return (text,) if text else ()


def _product_details(vuln: dict, products: ProductTree) -> dict[str, tuple[str, str, str]]:
    """product_id -> (flag label, impact threat details, remediation 'category: details')."""
    flags: dict[str, str] = {}
    for flag in _list(vuln.get("flags")):
        if isinstance(flag, dict) and isinstance(flag.get("label"), str):
            for pid in products.expand(flag):
                flags.setdefault(pid, flag["label"])
    impacts: dict[str, str] = {}
    for threat in _list(vuln.get("threats")):
        if isinstance(threat, dict) and threat.get("category") == "impact":
            for pid in products.expand(threat):
                impacts.setdefault(pid, _text(threat.get("details")))
    actions: dict[str, str] = {}
    for remedy in _list(vuln.get("remediations")):
        if isinstance(remedy, dict):
            text = ": ".join(filter(None, (_text(remedy.get("category")), _text(remedy.get("details")))))
            for pid in products.expand(remedy):
                actions.setdefault(pid, text)
    return {
        pid: (flags.get(pid, ""), impacts.get(pid, ""), actions.get(pid, ""))
        for pid in set(flags) | set(impacts) | set(actions)
    }


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


READER = CsafVexReader()
