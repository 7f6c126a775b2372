"""Hostile-XML-safe parsing for every XML input and content file.

Real SBOMs, XCCDF and CCI files never declare entities, so any DOCTYPE carrying an ENTITY (or an
external DTD) is refused before parsing; the parser itself also never resolves entities, never
loads a DTD and never touches the network.
"""
from __future__ import annotations

import re

from scc.errors import InputError

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_OR_EXTERNAL = re.compile(rb"<!ENTITY|\bSYSTEM\b|\bPUBLIC\b", re.IGNORECASE)
_ROOT_TAG = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)([^>]*)>", re.DOTALL)


def _parser():
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=False,
    )


def parse_xml_bytes(data: bytes, name: str):
    """Parse untrusted XML bytes into an lxml ElementTree or raise InputError naming the file."""
    from lxml import etree

    doctype = _DOCTYPE.search(data)
    if doctype:
        declaration = data[doctype.start(): data.find(b">", doctype.start()) + 1 or None]
        rest = data[doctype.start(): doctype.start() + 1_000_000]
        if _ENTITY_OR_EXTERNAL.search(declaration) or b"<!ENTITY" in rest.upper():
            raise InputError(name, "XML declares a DTD with entities or an external reference; refused")
    try:
        return etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        raise InputError(name, "malformed XML: " + " ".join(str(getattr(exc, "msg", exc)).split())) from exc


def sniff_root_tag(head: str) -> str:
    """'{namespace}local' of the first element in an XML prolog, without a full parse."""
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head, flags=re.DOTALL)
    match = _ROOT_TAG.search(text)
    if not match:
        return ""
    prefix, local, attrs = match.group(1), match.group(2), match.group(3)
    attr_name = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
    ns = re.search(rf'{re.escape(attr_name)}\s*=\s*["\']([^"\']*)["\']', attrs)
    return f"{{{ns.group(1)}}}{local}" if ns else local
