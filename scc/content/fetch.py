"""Downloading official content from its publishers with requests, pinned and bounded.

https only (plain http or file:// only for a mirror named with ``mirror=``/``--mirror`` on this
machine); redirects followed by hand and only to the same host over the same scheme; (connect,
read) timeouts, a total deadline per file checked after every read, a size cap per file; urllib3
retries with backoff (a server's Retry-After is ignored so it cannot stretch the deadline); TLS
verification always on; no Content-Encoding (the cap counts the bytes as sent). A downloaded file
is recognised by content and checked against the pins (scc/content/pins.py) before it replaces
anything in the cache; its sha256, size, release, URL and retrieval time go into the lock. The
whole run holds the cache lock, so concurrent fetches and imports serialise.
"""
from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

from scc.content import registry
from scc.content.lock import MAX_FILE_BYTES, LockEntry, sha256_bytes
from scc.content.recognise import member_for, recognise
from scc.content.store import ContentStore
from scc.errors import ContentError

TIMEOUT = (10.0, 60.0)                  # (connect, read) seconds for each request / each read
DEADLINE = 300.0                        # seconds for one file, from the first request to the last byte
MAX_DOWNLOAD_BYTES = 128 * 1024 * 1024  # DISA STIG zips are a few MB; the rev5 catalog is 10 MB
MAX_REDIRECTS = 5
CHUNK = 1 << 16
RETRIES = 3
BACKOFF = 0.5                           # seconds; urllib3 doubles it per retry
OFFLINE_HINT = "(use `scc content import` on an air-gapped machine)"
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Fetched:
    entry: LockEntry
    member: str = ""
    note: str = ""       # set when the file was accepted as a new release (--accept-new)


def session(retries: int | None = None, backoff: float | None = None):
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retries = RETRIES if retries is None else retries
    backoff = BACKOFF if backoff is None else backoff
    retry = Retry(
        total=retries, connect=retries, read=retries, status=retries, redirect=0, backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
        raise_on_status=False, respect_retry_after_header=False,
    )
    http = requests.Session()
    http.verify = True
    http.headers["User-Agent"] = "scc-content-fetch"
    http.headers["Accept-Encoding"] = "identity"
    adapter = HTTPAdapter(max_retries=retry)
    http.mount("https://", adapter)
    http.mount("http://", adapter)
    return http


# --- which URLs may be fetched ----------------------------------------------------------------

def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, local_mirror: bool = False) -> None:
    """Refuse anything but https, except http on this machine or file:// when it is the named local mirror."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https" and parts.hostname:
        return
    if local_mirror and scheme == "file":
        return
    if local_mirror and scheme == "http" and _loopback(parts.hostname):
        return
    if scheme == "http":
        where = "" if _loopback(parts.hostname) else " (plain http is allowed only for a mirror on this machine)"
        raise ContentError(f"{url}: plain http refused; content is fetched over https only{where}; "
                           "name a local mirror explicitly with --mirror http://127.0.0.1:PORT/")
    raise ContentError(f"{url}: only https URLs are fetched (or a local mirror named with --mirror)")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"https": 443, "http": 80}.get(scheme)


def _same_origin(origin: str, target: str) -> bool:
    return _origin(origin) == _origin(target)


# --- one download -----------------------------------------------------------------------------

def download(url: str, limit: int = MAX_DOWNLOAD_BYTES, http=None, timeout=TIMEOUT,
             deadline: float = DEADLINE, local_mirror: bool = False) -> bytes:
    """The body at ``url``, refusing more than ``limit`` bytes or more than ``deadline`` seconds in all.

    Redirects are followed only to the same scheme, host and port. ContentError names the URL or host.
    """
    import requests

    check_url(url, local_mirror)
    if urlsplit(url).scheme.lower() == "file":
        return _read_local(url, limit)
    host = urlsplit(url).hostname or url
    http = http or session()
    until = time.monotonic() + deadline
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            remaining = until - time.monotonic()
            if remaining <= 0:
                raise ContentError(f"{url}: not complete within the {deadline:g} s deadline; download stopped")
            per_request = (min(timeout[0], remaining), min(timeout[1], remaining))
            with http.get(current, stream=True, timeout=per_request, verify=True, allow_redirects=False) as response:
                if response.status_code in _REDIRECTS and response.headers.get("Location"):
                    current = _redirect_target(url, current, response.headers["Location"], local_mirror)
                    continue
                return _body(response, current, limit, until, deadline)
        raise ContentError(f"{url}: more than {MAX_REDIRECTS} redirects; refused")
    except requests.exceptions.SSLError as exc:
        raise ContentError(f"cannot verify TLS for {host}: {_reason(exc)} (TLS verification stays on)") from exc
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        if time.monotonic() >= until:
            raise ContentError(f"{url}: not complete within the {deadline:g} s deadline; download stopped") from exc
        raise ContentError(f"cannot reach {host}: {_reason(exc)} {OFFLINE_HINT}") from exc
    except requests.exceptions.RequestException as exc:
        raise ContentError(f"download of {url} failed: {_reason(exc)} {OFFLINE_HINT}") from exc


def _redirect_target(first: str, current: str, location: str, local_mirror: bool) -> str:
    target = urljoin(current, location)
    if not _same_origin(current, target):
        shown = urlsplit(target)
        raise ContentError(f"{first}: redirect to {shown.scheme}://{shown.netloc} refused "
                           "(content is fetched only from the host named; set the final URL with --url)")
    check_url(target, local_mirror)
    return target


def _body(response, url: str, limit: int, until: float, deadline: float) -> bytes:
    if response.status_code != 200:
        raise ContentError(f"{url}: HTTP {response.status_code}{_status_hint(response.status_code)}")
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise ContentError(f"{url}: Content-Encoding {encoding} refused (scc asks for the file as published)")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ContentError(f"{url}: {declared} bytes exceeds the {limit} byte download limit")
    body = bytearray()
    read = getattr(response.raw, "read1", None) or (lambda size: response.raw.read(min(size, 1024)))  # urllib3 < 2
    while True:
        if time.monotonic() >= until:
            raise ContentError(f"{url}: not complete within the {deadline:g} s deadline "
                               f"({len(body)} bytes received); download stopped")
        chunk = read(CHUNK)                     # read1 returns as soon as any bytes arrive
        if not chunk:
            break
        body += chunk
        if len(body) > limit:
            raise ContentError(f"{url}: more than {limit} bytes; exceeds the {limit} byte download limit; "
                               "download stopped")
    if declared.isdigit() and len(body) != int(declared):
        raise ContentError(f"{url}: {len(body)} bytes received, {declared} announced; download incomplete")
    return bytes(body)


def _read_local(url: str, limit: int) -> bytes:
    from scc.content.lock import read_capped

    path = Path(url2pathname(urlsplit(url).path))
    if not path.is_file():
        raise ContentError(f"{url}: no such file in the local mirror")
    return read_capped(path, limit)


def _status_hint(status: int) -> str:
    if status == 404:
        return (" — the publisher no longer serves this file (DISA removes superseded releases); "
                "set the current URL with --url NAME=URL or SCC_CONTENT_URL_<NAME>")
    if status in (401, 403):
        return " — the publisher refused the request; download it by hand and use `scc content import`"
    return ""


def _reason(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    inner = getattr(exc.args[0], "reason", None) if exc.args else None
    return str(inner or text).splitlines()[0][:200]


# --- installing what was fetched ----------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """How far one fetch may go: seconds and bytes per file, and whether a release scc has no pin for is accepted."""

    deadline: float = DEADLINE
    max_bytes: int = MAX_DOWNLOAD_BYTES
    accept_new: bool = False


def fetch_source(store: ContentStore, source: registry.Source, url: str, http=None,
                 limits: Limits | None = None, local_mirror: bool = False) -> Fetched:
    """Download one source, check it against the registry and the pins, and install it atomically.

    The caller holds ``cache_lock(store.directory)`` (``fetch`` does).
    """
    from scc.atomic import write_bytes_atomic
    from scc.content.bundle import now_utc
    from scc.content.lock import accepted_hashes, read_lock, write_lock
    from scc.content.pins import check_pin

    limits = limits or Limits()
    body = download(url, limit=limits.max_bytes, http=http, deadline=limits.deadline, local_mirror=local_mirror)
    archive_sha = ""
    member = ""
    data = body
    if body[:2] == b"PK":
        archive_sha = sha256_bytes(body)
        member, data = member_for(source, body, url)
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(f"{url}: {len(data)} bytes exceeds the {MAX_FILE_BYTES} byte content limit")
    if recognise(data, member or url) is not source:
        raise ContentError(f"{url}: the downloaded file is not the {source.title}; refused")
    lock = read_lock(store.directory)
    where = f"{url}!{member}" if member else url
    verdict = check_pin(source.name, source.kind, data, where, accept_new=limits.accept_new,
                        accepted=accepted_hashes(lock, source.name))
    entry = LockEntry(
        name=source.name, file=source.filename, sha256=sha256_bytes(data), size=len(data), url=url,
        retrieved=now_utc(), origin="fetch", archive_sha256=archive_sha, release=verdict.release,
        trust=verdict.trust,
    )
    write_bytes_atomic(store.directory / source.filename, data)
    lock[source.name] = entry
    write_lock(store.directory, lock)
    store.forget()
    return Fetched(entry, member, verdict.note)


def source_urls(names: list[str], urls: Mapping[str, str] | None, mirror: str | None) -> dict[str, tuple[str, bool]]:
    """For each source: the URL to fetch and whether it lies in the explicitly named local mirror."""
    out: dict[str, tuple[str, bool]] = {}
    for name in names:
        source = registry.BY_NAME[name]
        if urls and name in urls:
            out[name] = (urls[name], False)
        elif mirror:
            out[name] = (mirror.rstrip("/") + "/" + source.url.rsplit("/", 1)[-1], True)
        else:
            out[name] = (registry.effective_url(source), False)
    return out


def fetch(store: ContentStore, names: list[str] | None = None, urls: Mapping[str, str] | None = None,
          *, mirror: str | None = None, limits: Limits | None = None, notify=None,
          http=None) -> tuple[list[Fetched], list[str]]:
    """Fetch the named sources (all by default). Returns what was fetched and one line per failure.

    ``mirror`` is a base URL every source not given in ``urls`` is fetched from (its file name
    kept); it may be plain http on this machine or file://, because the user named it.
    """
    from scc.content.lock import cache_lock

    chosen = names or [s.name for s in registry.DEFAULT_SOURCES]
    unknown = [n for n in chosen if n not in registry.BY_NAME]
    if unknown:
        raise ContentError(f"unknown content {', '.join(unknown)} (known: {', '.join(registry.BY_NAME)})")
    if mirror:
        check_url(mirror.rstrip("/") + "/", local_mirror=True)
    plan = source_urls(chosen, urls, mirror)
    http = http or session()
    done: list[Fetched] = []
    failures: list[str] = []
    unreachable: dict[str, str] = {}
    with cache_lock(store.directory, notify=notify):
        for name in chosen:
            url, local = plan[name]
            host = urlsplit(url).netloc
            if host in unreachable:
                failures.append(f"{name}: skipped, {unreachable[host]}")
                continue
            try:
                done.append(fetch_source(store, registry.BY_NAME[name], url, http=http, limits=limits,
                                         local_mirror=local))
            except ContentError as exc:
                failures.append(f"{name}: {exc}")
                if str(exc).startswith("cannot reach"):
                    unreachable[host] = str(exc)
    return done, failures
