"""The Berkeley DB hash file rpm <= 4.15 keeps its packages in (var/lib/rpm/Packages: RHEL/UBI <= 8).

Read the way syft's go-rpmdb reads it, from the page layout alone (no libdb): the hash metadata
page (magic 0x061561 at byte 12, in either byte order, page size at 20, last page at 32), then
every hash page (type 13, or 2 for RHEL 5) whose index lists key/value pairs; each value is a
package header, stored "off page" (item type 3: page number at +4, total length at +8, read by
following its chain of overflow pages, type 7: next page at 16, bytes on the page at 22, data from
26) or, when small, on the page itself (item type 1, up to the previous item). Page numbers, lengths and chains are all bounded; a loop or a page outside the file
stops the value with RpmHeaderError.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator


class RpmHeaderError(ValueError):
    """A header blob that is not what rpm writes (truncated, offsets out of range...): defined here, below
    scc.facts.image.rpmdb (which re-exports it), so the two modules do not import each other."""

_MAGIC = 0x061561
_PAGE_SIZES = frozenset(1 << n for n in range(9, 17))
_HASH_META, _HASH, _HASH_UNSORTED, _OVERFLOW, _OFFPAGE, _KEYDATA = 8, 13, 2, 7, 3, 1
_HEADER = 26
_MAX_VALUE = 64 * 1024 * 1024


def bdb_blobs(data: bytes, label: str) -> Iterator[tuple[int, bytes | RpmHeaderError]]:
    """(package number, header blob or why it could not be read) of every off-page value of ``data``."""
    if len(data) < 512:
        raise RpmHeaderError("shorter than one Berkeley DB page")
    order = "<" if struct.unpack_from("<I", data, 12)[0] == _MAGIC else ">"
    magic, _, page_size = struct.unpack_from(order + "III", data, 12)
    if magic != _MAGIC or data[25] != _HASH_META:
        raise RpmHeaderError("not a Berkeley DB hash database")
    if page_size not in _PAGE_SIZES:
        raise RpmHeaderError(f"unexpected page size {page_size}")
    last = min(struct.unpack_from(order + "I", data, 32)[0], len(data) // page_size - 1)
    for number in range(1, last + 1):
        page = data[number * page_size:(number + 1) * page_size]
        if page[25] not in (_HASH, _HASH_UNSORTED):
            continue
        entries = struct.unpack_from(order + "H", page, 20)[0]
        if _HEADER + 2 * entries > page_size:
            raise RpmHeaderError(f"page {number}: {entries} entries do not fit the page")
        offsets = struct.unpack_from(f"{order}{entries}H", page, _HEADER)
        for pair in range(0, entries - 1, 2):
            value = _value(data, page, offsets, pair + 1, page_size, order)
            if value is not None:
                yield _package_number(page, offsets[pair], order, page_size), value


def _value(data: bytes, page: bytes, offsets: tuple[int, ...], index: int, page_size: int,
           order: str) -> bytes | RpmHeaderError | None:
    """Item ``index`` of a hash page: an off-page value, or a small one stored on the page (None for
    anything else, such as the 4-byte record rpm keeps under key 0)."""
    at = offsets[index]
    if at >= page_size:
        return None
    if page[at] == _KEYDATA:              # on the page: it runs up to the previous item
        end = page_size if index == 0 else offsets[index - 1]
        return page[at + 1:end] if at + 1 + 8 <= end <= page_size else None
    if page[at] != _OFFPAGE or at + 12 > page_size:
        return None
    first, length = struct.unpack_from(order + "II", page, at + 4)
    try:
        return _overflow(data, first, length, page_size, order)
    except RpmHeaderError as exc:
        return exc


def _package_number(page: bytes, at: int, order: str, page_size: int) -> int:
    if at + 5 <= page_size and page[at] == _KEYDATA:
        return struct.unpack_from(order + "I", page, at + 1)[0]
    return -1


def _overflow(data: bytes, number: int, length: int, page_size: int, order: str) -> bytes:
    """The value stored from overflow page ``number`` on, ``length`` bytes long."""
    if length > _MAX_VALUE:
        raise RpmHeaderError(f"a {length}-byte value is over the {_MAX_VALUE}-byte header cap")
    pages = len(data) // page_size
    chunks: list[bytes] = []
    got = 0
    seen: set[int] = set()
    while got < length:
        if number == 0 or number >= pages or number in seen:
            raise RpmHeaderError(f"overflow chain breaks at page {number} after {got} of {length} bytes")
        seen.add(number)
        page = data[number * page_size:(number + 1) * page_size]
        if page[25] != _OVERFLOW:
            raise RpmHeaderError(f"page {number} is not an overflow page")
        next_page, _, on_page = struct.unpack_from(order + "IHH", page, 16)
        take = min(on_page, page_size - _HEADER, length - got)
        chunks.append(page[_HEADER:_HEADER + take])
        got += take
        if take == 0:
            raise RpmHeaderError(f"overflow page {number} holds no bytes")
        number = next_page
    return b"".join(chunks)
