"""Hostile-XML-safe parsing for every XML input and content file.

Real SBOMs, XCCDF and CCI files are UTF-8 (or UTF-16) and never carry a DTD, so:

* the encoding is decided first (byte-order mark, else the XML declaration, else UTF-8) and only
  UTF-8, UTF-16 and US-ASCII are read; any other declared encoding (UTF-7, ISO-8859-1, EBCDIC ...)
  is refused with its name, because a DTD or entity can hide behind bytes that no byte-level
  check recognises (UTF-7 writes ``<!DOCTYPE`` as ``+ADwAIQ-DOCTYPE``);
* the text, decoded with that encoding, is refused when it carries any ``<!DOCTYPE`` or
  ``<!ENTITY``; the parser is told the same encoding, so it reads what was checked;
* the parser itself never resolves entities, never loads a DTD and never touches the network,
  and a tree in which it nevertheless saw a DOCTYPE is refused too.
"""
from __future__ import annotations

import codecs
import re

from scc.errors import InputError

_DTD_MARKUP = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_MARKUP_BYTES = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT_TAG = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)([^>]*)>", re.DOTALL)
_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
#: XML without a byte-order mark: how '<?' starts in each encoding scc reads
_NO_BOM_STARTS = ((b"<\0?\0", "utf-16-le"), (b"\0<\0?", "utf-16-be"))
_READ_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "ascii"})
_CONVERT_HINT = "convert it to UTF-8 (e.g. iconv -f {enc} -t UTF-8 FILE > FILE.utf8.xml, then fix the declaration)"


def _parser(encoding: str):
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=False, encoding=encoding,
    )


def xml_encoding(data: bytes, name: str) -> tuple[str, int]:
    """(Python codec, length of the byte-order mark) of XML bytes; InputError for an encoding scc does not read."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError(name, "XML is UTF-32; scc reads only UTF-8, UTF-16 or US-ASCII XML; "
                               + _CONVERT_HINT.format(enc="UTF-32"))
    bom_codec, bom_length = "", 0
    for bom, codec in _BOMS:
        if data.startswith(bom):
            bom_codec, bom_length = codec, len(bom)
            break
    else:
        bom_codec = next((codec for start, codec in _NO_BOM_STARTS if data.startswith(start)), "")
    prolog = data[bom_length: bom_length + 1024].decode(bom_codec or "latin-1", errors="replace")
    declared = _DECLARED_ENCODING.match(prolog)
    label = declared.group(1).strip() if declared else ""
    if label:
        _require_readable(label, name)
    return bom_codec or (_require_readable(label, name) if label else "utf-8"), bom_length


def _require_readable(label: str, name: str) -> str:
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        codec = ""
    if codec not in _READ_ENCODINGS:
        raise InputError(name, f"XML declares encoding {label!r}; scc reads only UTF-8, UTF-16 or US-ASCII XML "
                               "(any other encoding can hide a DTD or entities); "
                               + _CONVERT_HINT.format(enc=label))
    return "utf-16" if codec == "utf-16" else codec


def parse_xml_bytes(data: bytes, name: str):
    """Parse untrusted XML bytes into an lxml ElementTree or raise InputError naming the file."""
    from lxml import etree

    codec, bom_length = xml_encoding(data, name)
    if _carries_dtd(data, codec, bom_length, name):
        raise InputError(name, "XML carries a DTD (<!DOCTYPE or <!ENTITY); refused: scc reads no DTDs or entities")
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser(_lxml_encoding(codec, bom_length))))
    except etree.XMLSyntaxError as exc:
        raise InputError(name, "malformed XML: " + " ".join(str(getattr(exc, "msg", exc)).split())) from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # type: ignore[attr-defined]  # stubs lack it
        raise InputError(name, "XML carries a DTD; refused: scc reads no DTDs or entities")
    return tree


def _carries_dtd(data: bytes, codec: str, bom_length: int, name: str) -> bool:
    """Whether the text, read in ``codec``, has DOCTYPE or ENTITY markup (UTF-8/ASCII searched as bytes)."""
    if not codec.startswith("utf-16"):
        return _DTD_MARKUP_BYTES.search(data) is not None
    try:
        text = data[bom_length:].decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(name, f"XML is not valid {codec.upper()} text (byte {exc.start + bom_length})") from exc
    return _DTD_MARKUP.search(text) is not None


def _lxml_encoding(codec: str, bom_length: int) -> str:
    """The encoding name libxml2 is given (a UTF-16 file with a BOM keeps it, so say plain UTF-16)."""
    if codec.startswith("utf-16") and bom_length:
        return "UTF-16"
    return {"utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE", "ascii": "US-ASCII"}.get(codec, "UTF-8")


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
