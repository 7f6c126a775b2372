"""Downloading official content from its publishers with requests.

(connect, read) timeouts, urllib3 retries with backoff, a streaming size cap, TLS verification
always on, and a temp-file-then-rename write. A downloaded file is recognised by content before it
replaces anything in the cache, and its sha256, size, URL and retrieval time go into the lock.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from scc.content import registry
from scc.content.lock import MAX_FILE_BYTES, LockEntry, sha256_bytes
from scc.content.recognise import member_for, recognise
from scc.content.store import ContentStore
from scc.errors import ContentError

TIMEOUT = (10.0, 60.0)                  # (connect, read) seconds
MAX_DOWNLOAD_BYTES = 128 * 1024 * 1024  # DISA STIG zips are a few MB; the rev5 catalog is 10 MB
CHUNK = 1 << 16
RETRIES = 3
BACKOFF = 0.5                           # seconds; urllib3 doubles it per retry
OFFLINE_HINT = "(use `scc content import` on an air-gapped machine)"


@dataclass(frozen=True)
class Fetched:
    entry: LockEntry
    member: str = ""


def session(retries: int | None = None, backoff: float | None = None):
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retries = RETRIES if retries is None else retries
    backoff = BACKOFF if backoff is None else backoff
    retry = Retry(
        total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
        raise_on_status=False, respect_retry_after_header=True,
    )
    http = requests.Session()
    http.verify = True
    http.headers["User-Agent"] = "scc-content-fetch"
    adapter = HTTPAdapter(max_retries=retry)
    http.mount("https://", adapter)
    http.mount("http://", adapter)
    return http


def download(url: str, limit: int = MAX_DOWNLOAD_BYTES, http=None, timeout=TIMEOUT) -> bytes:
    """The body at ``url``, refusing more than ``limit`` bytes; ContentError naming the host on failure."""
    import requests

    host = urlsplit(url).hostname or url
    http = http or session()
    try:
        with http.get(url, stream=True, timeout=timeout, verify=True, allow_redirects=True) as response:
            if response.status_code != 200:
                raise ContentError(f"{url}: HTTP {response.status_code}{_status_hint(response.status_code)}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise ContentError(f"{url}: {declared} bytes exceeds the {limit} byte download limit")
            body = bytearray()
            for chunk in response.iter_content(CHUNK):
                body += chunk
                if len(body) > limit:
                    raise ContentError(f"{url}: more than {limit} bytes; download stopped")
            return bytes(body)
    except requests.exceptions.SSLError as exc:
        raise ContentError(f"cannot verify TLS for {host}: {_reason(exc)} (TLS verification stays on)") from exc
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        raise ContentError(f"cannot reach {host}: {_reason(exc)} {OFFLINE_HINT}") from exc
    except requests.exceptions.RequestException as exc:
        raise ContentError(f"download of {url} failed: {_reason(exc)} {OFFLINE_HINT}") from exc


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


def fetch_source(store: ContentStore, source: registry.Source, url: str, http=None) -> Fetched:
    """Download one source, check it is what the registry says, and install it into the store atomically."""
    from scc.atomic import write_bytes_atomic
    from scc.content.bundle import now_utc
    from scc.content.lock import read_lock, write_lock

    body = download(url, http=http)
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
    entry = LockEntry(
        name=source.name, file=source.filename, sha256=sha256_bytes(data), size=len(data), url=url,
        retrieved=now_utc(), origin="fetch", archive_sha256=archive_sha,
    )
    write_bytes_atomic(store.directory / source.filename, data)
    lock = read_lock(store.directory)
    lock[source.name] = entry
    write_lock(store.directory, lock)
    store.forget()
    return Fetched(entry, member)


def fetch(store: ContentStore, names: list[str] | None = None,
          urls: Mapping[str, str] | None = None) -> tuple[list[Fetched], list[str]]:
    """Fetch the named sources (all by default). Returns what was fetched and one line per failure."""
    chosen = names or [s.name for s in registry.SOURCES]
    unknown = [n for n in chosen if n not in registry.BY_NAME]
    if unknown:
        raise ContentError(f"unknown content {', '.join(unknown)} (known: {', '.join(registry.BY_NAME)})")
    http = session()
    done: list[Fetched] = []
    failures: list[str] = []
    unreachable: dict[str, str] = {}
    for name in chosen:
        source = registry.BY_NAME[name]
        url = registry.effective_url(source, urls)
        host = urlsplit(url).netloc
        if host in unreachable:
            failures.append(f"{name}: skipped, {unreachable[host]}")
            continue
        try:
            done.append(fetch_source(store, source, url, http=http))
        except ContentError as exc:
            failures.append(f"{name}: {exc}")
            if str(exc).startswith("cannot reach"):
                unreachable[host] = str(exc)
    return done, failures
