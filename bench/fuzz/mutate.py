"""Structural and byte-level mutations of a seed, every choice drawn from Hypothesis.

JSON: replace, insert, delete or duplicate values anywhere in the tree (hostile values of every JSON
type, or raw JSON text json.dumps would never write: escaped lone surrogates, huge numbers, deep
nesting), in DSSE payloads too (base64 decoded, mutated, re-encoded). XML: element text,
attributes, deletions and duplications, plus raw splices (illegal character references, a DOCTYPE, a
foreign encoding). Tag-value text: values and lines. Tars: member names, link targets, contents.
Bytes: flips, truncation, insertion, splicing, BOMs, UTF-16, gzip. An OCI layout has one JSON blob
mutated and its digests refitted, so the change gets past the digest checks.
"""
from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import io
import json
import tarfile

from hypothesis import strategies as st
from values import hostile_text, json_value, raw_json

_RAW = "\u0000FUZZRAW{}\u0000"


# -- JSON ------------------------------------------------------------------------------------------
def _slots(node, out):
    """Every (container, key) in the tree, depth first."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        out.append((node, key))
        _slots(child, out)
    return out


#: same-type replacements weigh most: they get past the readers' type checks and reach the writers
_JSON_OPS = ["same-type"] * 6 + ["replace", "raw", "insert", "delete", "duplicate", "payload", "payload"]


def _mutate_tree(data: st.DataObject, tree, raws: list[str]):
    root = [tree]
    slots = _slots(root, [])
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        container, key = data.draw(st.sampled_from(slots), label="slot")
        if key not in (container.keys() if isinstance(container, dict) else range(len(container))):
            continue
        current = container[key]
        op = data.draw(st.sampled_from(_JSON_OPS), label="op")
        if op == "same-type" and isinstance(current, str):
            container[key] = data.draw(hostile_text(), label="text")
        elif op == "same-type" and isinstance(current, (int, float)) and not isinstance(current, bool):
            container[key] = data.draw(st.sampled_from([0, -1, 2**63, 10**30, 10**5000, 1e308, -0.0]))
        elif op == "replace":
            container[key] = data.draw(json_value(), label="value")
        elif op == "raw":
            raws.append(data.draw(raw_json(), label="raw"))
            container[key] = _RAW.format(len(raws) - 1)
        elif op == "insert" and isinstance(current, dict):
            current[data.draw(hostile_text(), label="key")] = data.draw(json_value(), label="value")
        elif op == "insert" and isinstance(current, list):
            current.insert(data.draw(st.integers(0, len(current))), data.draw(json_value(), label="value"))
        elif op == "delete" and container is not root:
            del container[key]
        elif op == "duplicate" and isinstance(current, list) and current:
            current.extend(current * data.draw(st.sampled_from([1, 3, 50])))
        elif op == "payload" and isinstance(current, str):
            container[key] = _mutate_base64_json(data, current, raws) or current
    return root[0]


def _mutate_base64_json(data: st.DataObject, text: str, raws: list[str]) -> str | None:
    """A DSSE payload (base64 of a JSON statement) mutated inside and re-encoded."""
    try:
        inner = json.loads(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error):
        return None
    inner_raws: list[str] = []
    mutated = _dump(_mutate_tree(data, inner, inner_raws), inner_raws, data.draw(st.booleans()))
    return base64.b64encode(mutated).decode()


def _dump(tree, raws: list[str], ascii_only: bool) -> bytes:
    text = json.dumps(tree, ensure_ascii=ascii_only, indent=None)
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(_RAW.format(index), ensure_ascii=ascii_only), raw)
    return text.encode("utf-8", "surrogatepass")   # a raw lone surrogate is invalid UTF-8: also a case


def mutate_json(data: st.DataObject, content: bytes) -> bytes:
    raws: list[str] = []
    tree = _mutate_tree(data, json.loads(content), raws)
    return _dump(tree, raws, data.draw(st.booleans(), label="ascii"))


def mutate_jsonl(data: st.DataObject, content: bytes) -> bytes:
    lines = content.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    if lines[index].strip():
        lines[index] = mutate_json(data, lines[index])
    return b"\n".join(lines) + b"\n"


# -- XML -------------------------------------------------------------------------------------------
_XML_TEXT = hostile_text().map(lambda s: "".join(c for c in s if _xml_char(c)))
_RAW_XML = ["&#0;", "&#xD800;", "\x01", "\x00", "&#x1F;", "&unknown;", "<![CDATA[\x0b]]>", "\udc80"]


def _xml_char(c: str) -> bool:
    o = ord(c)
    return o in (9, 10, 13) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


def mutate_xml(data: st.DataObject, content: bytes) -> bytes:
    from lxml import etree

    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    raws: list[str] = []
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        element = data.draw(st.sampled_from(elements), label="element")
        op = data.draw(st.sampled_from(["text", "attribute", "new-attribute", "delete", "duplicate", "raw"]))
        if op == "text":
            element.text = data.draw(_XML_TEXT)
        elif op == "attribute" and element.attrib:
            element.set(data.draw(st.sampled_from(sorted(element.attrib))), data.draw(_XML_TEXT))
        elif op == "new-attribute":
            element.set(data.draw(st.sampled_from(["id", "idref", "version", "type", "href", "x"])), data.draw(_XML_TEXT))
        elif op == "delete" and element.getparent() is not None:
            element.getparent().remove(element)
            elements = [e for e in root.iter() if isinstance(e.tag, str)]
        elif op == "duplicate" and element.getparent() is not None:
            for _copy in range(data.draw(st.sampled_from([1, 10]))):
                element.addnext(etree.fromstring(etree.tostring(element)))
        elif op == "raw":
            raws.append(data.draw(st.sampled_from(_RAW_XML)))
            element.text = f"FUZZRAW{len(raws) - 1}X"
    text = etree.tostring(root, encoding="unicode")
    for index, raw in enumerate(raws):
        text = text.replace(f"FUZZRAW{index}X", raw)
    prolog = data.draw(st.sampled_from([
        "", '<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.0" encoding="UTF-7"?>\n',
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n', '<!DOCTYPE x [<!ENTITY e "boom">]>\n',
        '<?xml version="1.1"?>\n']), label="prolog")
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8", "utf-16"]), label="encoding")
    return (prolog + text).encode(encoding, "surrogatepass")


# -- tag-value text --------------------------------------------------------------------------------
def mutate_lines(data: st.DataObject, content: bytes) -> bytes:
    lines = content.decode("utf-8").split("\n")
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        index = data.draw(st.integers(0, len(lines) - 1), label="line")
        op = data.draw(st.sampled_from(["value", "delete", "duplicate", "text-block"]))
        tag, sep, _value = lines[index].partition(": ")
        if op == "value" and sep:
            lines[index] = f"{tag}: {data.draw(hostile_text())}"
        elif op == "delete":
            del lines[index]
        elif op == "duplicate":
            lines[index:index] = [lines[index]] * data.draw(st.sampled_from([1, 5]))
        elif op == "text-block" and sep:
            lines[index] = f"{tag}: <text>{data.draw(hostile_text())}"   # an unclosed multi-line value
        if not lines:
            lines = [""]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


# -- tar -------------------------------------------------------------------------------------------
_MEMBER_NAMES = ["../../etc/passwd", "/etc/passwd", "etc/../../x", "etc/os-release", "lib/apk/db/installed",
                 "var/lib/dpkg/status", "usr/lib/os-release", "etc/passwd", "a\x00b", "\ud83d", "x" * 300]


def mutate_tar(data: st.DataObject, content: bytes) -> bytes:
    compressed = content[:2] == b"\x1f\x8b"
    raw = gzip.decompress(content) if compressed else content
    with tarfile.open(fileobj=io.BytesIO(raw)) as archive:
        members = [(m, archive.extractfile(m).read() if m.isfile() else b"") for m in archive.getmembers()]
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        op = data.draw(st.sampled_from(["content", "name", "link", "add"]))
        index = data.draw(st.integers(0, max(len(members) - 1, 0)))
        if op == "add" or not members:
            info = tarfile.TarInfo(data.draw(st.sampled_from(_MEMBER_NAMES)))
            members.append((info, data.draw(hostile_text()).encode("utf-8", "surrogatepass")))
            continue
        info, body = members[index]
        if op == "content" and info.isfile():
            members[index] = (info, mutate_bytes(data, body) if body else data.draw(st.binary()))
        elif op == "name":
            info.name = data.draw(st.sampled_from(_MEMBER_NAMES) | hostile_text())
        elif op == "link":
            info.type = data.draw(st.sampled_from([tarfile.SYMTYPE, tarfile.LNKTYPE]))
            info.linkname = data.draw(st.sampled_from(_MEMBER_NAMES) | hostile_text())
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8", errors="surrogateescape") as archive:
        for info, body in members:
            info.size = len(body) if info.isfile() else 0
            try:
                archive.addfile(info, io.BytesIO(body) if info.isfile() else None)
            except (ValueError, UnicodeError):
                continue
    return gzip.compress(out.getvalue(), mtime=0) if compressed else out.getvalue()


# -- bytes -----------------------------------------------------------------------------------------
def mutate_bytes(data: st.DataObject, content: bytes) -> bytes:
    op = data.draw(st.sampled_from(["flip", "truncate", "insert", "splice", "bom", "utf16", "gzip"]), label="bytes-op")
    at = data.draw(st.integers(0, len(content)), label="at")
    if op == "flip" and content:
        at = min(at, len(content) - 1)
        return content[:at] + bytes([content[at] ^ data.draw(st.integers(1, 255))]) + content[at + 1:]
    if op == "truncate":
        return content[:at]
    if op == "insert":
        return content[:at] + data.draw(st.binary(min_size=1, max_size=64)) + content[at:]
    if op == "splice":
        other = data.draw(st.integers(0, len(content)))
        return content[:at] + content[other:other + data.draw(st.integers(1, 4096))] + content[at:]
    if op == "bom":
        return data.draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"])) + content
    if op == "utf16":
        return content.decode("utf-8", "replace").encode(data.draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32"])))
    return gzip.compress(content, mtime=0)


# -- dispatch --------------------------------------------------------------------------------------
def content_kind(name: str, content: bytes) -> str:
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if content[:2] == b"\x1f\x8b" or (len(content) > 262 and content[257:262] == b"ustar"):
        return "tar"
    if head == b"<":
        return "xml"
    if head in (b"{", b"["):
        try:
            json.loads(content)
            return "json"
        except ValueError:
            return "jsonl"
    return "lines" if name.endswith((".spdx", ".tv")) else "bytes"


STRUCTURAL = {"json": mutate_json, "jsonl": mutate_jsonl, "xml": mutate_xml, "lines": mutate_lines,
              "tar": mutate_tar, "bytes": mutate_bytes}


def mutate_file(data: st.DataObject, name: str, content: bytes) -> bytes:
    """Structural most of the time (the input still looks like its format), byte-level otherwise."""
    if data.draw(st.integers(0, 9), label="structural?") < 8:
        try:
            return STRUCTURAL[content_kind(name, content)](data, content)
        except Exception:  # noqa: BLE001, S110 - a hostile seed the mutator itself will not parse (entities, a DTD): bytes instead
            pass
    return mutate_bytes(data, content)


def mutate_seed(data: st.DataObject, files: dict[str, bytes], is_dir: bool) -> dict[str, bytes]:
    files = dict(files)
    candidates = sorted(n for n in files if not is_dir or content_kind(n, files[n]) in ("json", "xml", "tar", "lines"))
    name = data.draw(st.sampled_from(candidates or sorted(files)), label="file")
    old = files[name]
    files[name] = mutate_file(data, name, old)
    if is_dir and name.startswith("blobs/sha256/") and data.draw(st.integers(0, 3), label="refit?") > 0:
        files = refit_digests(files, name, old)
    if is_dir and data.draw(st.integers(0, 9), label="extra-file?") == 0:
        files[data.draw(st.sampled_from(["etc/os-release", "index.json", "oci-layout", "blobs/sha256/zz"]))] = (
            data.draw(hostile_text()).encode("utf-8", "surrogatepass"))
    return files


def refit_digests(files: dict[str, bytes], name: str, old: bytes) -> dict[str, bytes]:
    """Rename a mutated blob to its new sha256 and update every descriptor that pointed at it, up to index.json."""
    new = files.pop(name)
    old_hex, new_hex = hashlib.sha256(old).hexdigest(), hashlib.sha256(new).hexdigest()
    files[f"blobs/sha256/{new_hex}"] = new
    for other, body in list(files.items()):
        if other == f"blobs/sha256/{new_hex}" or old_hex.encode() not in body:
            continue
        try:
            tree = json.loads(body)
        except ValueError:
            continue
        _retarget(tree, old_hex, new_hex, len(new))
        refitted = json.dumps(tree, separators=(",", ":")).encode()
        files[other] = refitted
        if other.startswith("blobs/sha256/"):
            files = refit_digests(files, other, body) if other in files else files
    return files


def _retarget(node, old_hex: str, new_hex: str, size: int) -> None:
    if isinstance(node, dict):
        if node.get("digest") == f"sha256:{old_hex}":
            node["digest"], node["size"] = f"sha256:{new_hex}", size
        for child in node.values():
            _retarget(child, old_hex, new_hex, size)
    elif isinstance(node, list):
        for child in node:
            _retarget(child, old_hex, new_hex, size)
