"""The facts boundary: every reader's ImageFacts passes through ``make_safe`` before anything else sees it.

Two jobs, done once here so that no reader or writer can forget them:

* **Text safety.** Every string becomes text that every output can carry: JSON, XML text and
  attributes, uuid5 seeds, purls, xlsx cells and the PDF. Lone surrogates become U+FFFD; NUL, other
  C0/C1 control characters that XML 1.0 forbids and the non-characters U+FFFE/U+FFFF become a
  visible ``\\uXXXX`` escape; bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/F,
  U+061C) become a visible ``[U+XXXX]`` marker, so they are shown, never obeyed.
* **Secret redaction.** URL userinfo (``https://user:token@host``) and token-shaped query parameters
  are stripped wherever a URL is kept; well-known credential shapes (cloud keys, GitHub/GitLab/Slack
  tokens, JWTs, private key blocks, passwords in connection strings and command-line flags) are masked
  as ``[REDACTED]``; environment entries that are not well-formed variable names (``DB_PASSWORD:x``)
  are dropped with a note, since their value may be glued to the name.

The walk is generic over the model's dataclasses, lists, tuples and dicts (keys too); enums, numbers
and dates pass untouched. Objects shared between places stay shared. The input file's sha256 is never
touched: the evidence still names the bytes that were read; only what scc repeats of them is safe.

Hand-written rather than a library: detect-secrets and similar scanners report findings in files; none
rewrites values inside an object graph and keeps the citation, which is what is needed here.
"""
from __future__ import annotations

import dataclasses
import operator
import re
from enum import Enum
from itertools import chain
from typing import Any

from scc.facts.model import ImageConfig, ImageFacts

REDACTED = "[REDACTED]"

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# XML 1.0 Char excludes C0 controls but TAB/LF/CR, and U+FFFE/U+FFFF; C1 controls are allowed but
# discouraged and unprintable, so they are escaped too.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff" + _BIDI + "\ud800-\udfff]")

_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]{1,20}://)[^/\s?#@]+@")
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:access_token|token|auth|authorization|api[_-]?key|apikey|key|secret|client_secret|password|"
    r"passwd|pwd|sig|signature|private_token|x-amz-[a-z\-]+|x-goog-[a-z\-]+|sv|se|sp|skoid|sktid)=)[^&#;\s\"']+")
_TOKEN_SHAPES = (
    re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b"),            # AWS access key ids
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),                                 # GitHub tokens
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}\b"),
    re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}\b"),                                  # GitLab
    re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}\b"),                             # Slack
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),                                     # Google API key
    re.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}\b"),                            # Stripe
    re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"),
    re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\b"),   # JWT
    re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.DOTALL),
)
# password=...; in ADO/JDBC/libpq strings, and --password=x / --token x on command lines
_ASSIGNED_SECRET = re.compile(
    r"(?i)(\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token|token)\s*[=:]\s*)"
    r"(?!\[REDACTED\])[^\s;&,'\"]+")
_FLAG_SECRET = re.compile(
    r"(?i)((?:^|\s)--?(?:password|passwd|pass|token|secret|api-key|apikey|access-key|auth)\s+)(?!\[REDACTED\])\S+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_SECRET_FLAG_WORD = re.compile(r"(?i)--?(?:password|passwd|pass|token|secret|api-key|apikey|access-key|auth)")
# one pass that tells whether any of the above can match (most strings are names, versions and purls)
_ANY_SECRET = re.compile("|".join(p.pattern.replace("(?i)", "").replace("(?s)", "") for p in (
    _URL_USERINFO, _SECRET_PARAM, *_TOKEN_SHAPES[:-1], _ASSIGNED_SECRET, _FLAG_SECRET)) + "|-----BEGIN",
    re.IGNORECASE)


def safe_text(text: str) -> str:
    """``text`` with nothing an output format cannot carry and no bidi control left to act."""
    if not _UNSAFE_TEXT.search(text):
        return text
    return _UNSAFE_TEXT.sub(_replacement, text)


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if char in _BIDI:
        return f"[U+{code:04X}]"
    return f"\\u{code:04x}"


def _may_hold_secret(text: str) -> bool:
    """False only when ``_ANY_SECRET`` cannot match: a cheap necessary condition for each of its alternatives.

    The combined pattern costs ~20 µs a string (no literal prefix to skip on); a 100k-component SBOM has
    ~700k distinct strings. For ASCII text, case-insensitive matching is plain ASCII case, so a search of
    ``text.lower()`` for marks every alternative contains is an exact necessary condition; other text always
    takes the full search.
    """
    if not text.isascii():
        return True
    return ("://" in text                                                        # URL userinfo
            or _SECRET_MARKS.search(text.lower()) is not None                    # token shapes, keywords
            or ("=" in text and _SECRET_PARAM.search(text) is not None))         # ?token=... (starts [?&;])


# Every token shape of _ANY_SECRET (and the key block) contains one of the first marks; every keyword of
# _ASSIGNED_SECRET and _FLAG_SECRET contains one of the last six.
_SECRET_MARKS = re.compile("|".join(re.escape(mark) for mark in (
    "akia", "asia", "agpa", "aida", "aroa", "anpa", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "glpat-", "xox", "aiza", "_live_", "npm_", "eyj", "-----begin",
    "pass", "pwd", "secret", "key", "token", "auth")))


def redact(text: str) -> str:
    """``text`` with URL credentials, token-shaped parameters and known secret shapes masked."""
    if not text or not _may_hold_secret(text) or not _ANY_SECRET.search(text):
        return text
    text = _URL_USERINFO.sub(r"\1" + REDACTED + "@", text)
    text = _SECRET_PARAM.sub(r"\1" + REDACTED, text)
    for shape in _TOKEN_SHAPES:
        text = shape.sub(REDACTED, text)
    text = _ASSIGNED_SECRET.sub(r"\1" + REDACTED, text)
    return _FLAG_SECRET.sub(r"\1" + REDACTED, text)


def clean(text: str) -> str:
    """Text safety, then redaction: what every string of the facts goes through."""
    return redact(safe_text(text))


def make_safe(facts: ImageFacts, *, jobs: int = 1) -> ImageFacts:
    """The facts with every string made safe and every secret redacted (a new object; shared parts stay shared).

    With ``jobs`` > 1 the census of a large input's strings is shared with forked workers (the same facts).
    """
    notes: list[str] = []
    if facts.config is not None:
        config = _well_formed_env(facts.config, notes)
        if config is not facts.config:
            facts = dataclasses.replace(facts, config=config)
    changed, flag_word = _census(facts, jobs)
    # Nothing to clean and no argv tuple to mask: the walk would rebuild nothing (sets aside, which it copies
    # equal), so the facts are already safe; skipping it is most of the boundary's cost for a large SBOM.
    safe = facts if not changed and not flag_word else _Walker(changed).walk(facts)
    safe.notes.extend(notes)
    return safe


def _census(facts: ImageFacts, jobs: int) -> tuple[dict[str, str], bool]:
    """What ``clean`` changes among the strings the walk would meet, and whether one is a ``--password``-style
    word: per part of the facts (``_census_parts``), in forked workers when there are several, then united."""
    parts = _census_parts(facts, jobs)
    if len(parts) == 1:
        return _census_of(parts[0])
    from scc.forking import forked_map

    results = forked_map(lambda index: _census_of(parts[index]), len(parts), jobs=jobs)
    changed: dict[str, str] = {}
    for part_changed, _ in results:
        changed.update(part_changed)
    return changed, any(flag_word for _, flag_word in results)


def _census_parts(facts: ImageFacts, jobs: int) -> list[list[Any]]:
    """The facts as one part, or, when large and ``jobs`` > 1, as ``jobs`` parts whose strings together are the
    facts' strings: the components and findings dealt out in turn, every other init field in the first part.
    The walk meets exactly the strings of the facts' init fields, so each test over them is the union of the
    same test over the parts."""
    from scc.forking import PARALLEL_SIZE

    if jobs < 2 or len(facts.components) + len(facts.findings) < PARALLEL_SIZE:
        return [[facts]]
    rest = [getattr(facts, f.name) for f in dataclasses.fields(facts) if f.init and f.name not in _DEALT_OUT]
    parts: list[list[Any]] = [[*facts.components[i::jobs], *facts.findings[i::jobs]] for i in range(jobs)]
    parts[0].extend(rest)
    return parts


_DEALT_OUT = ("components", "findings")


def _census_of(roots: list[Any]) -> tuple[dict[str, str], bool]:
    texts = _reachable_texts(roots)
    joined = _Joined(texts)
    changed = _changed_texts(texts, joined)
    return changed, _may_hold_flag_word(texts, changed, joined)


def _well_formed_env(config: ImageConfig, notes: list[str]) -> ImageConfig:
    kept = tuple(name for name in config.env_names if _ENV_NAME.fullmatch(name))
    dropped = len(config.env_names) - len(kept)
    if dropped:
        where = config.field_evidence.get("env_names")
        place = f"{where.cite()}: " if where else ""
        notes.append(f"{place}{dropped} environment entr{'y' if dropped == 1 else 'ies'} without '=' and not a "
                     "valid variable name dropped (its value may be part of it; not repeated)")
        config = dataclasses.replace(config, env_names=kept)
    return config


_ATOMS = (bool, int, float, bytes)


def _reachable_texts(root: Any) -> set[str]:
    """Every string the walk would visit: the same traversal (init fields of dataclasses, lists, tuples,
    sets, dict keys and values; enums and atoms skipped), building nothing.

    Column by column rather than object by object: the objects of one type are handled together, a
    dataclass's values of each field taken with one ``attrgetter`` over all of them and becoming the next
    batch, so the per-object work is in C (the 1.7M objects of a 100k-component SBOM).
    """
    texts: set[str] = set()
    seen: set[int] = set()          # containers already met (objects shared or met twice)
    kinds: dict[type, tuple[str, Any]] = {}
    batches: list[list[Any]] = [[root]]
    while batches:
        batch = batches.pop()
        types = set(map(type, batch))
        if len(types) > 1:
            batches.extend([value for value in batch if type(value) is kind] for kind in types)
            continue
        kind = types.pop() if types else type(None)
        if kind is str:
            texts.update(batch)
            continue
        if kind not in kinds:
            kinds[kind] = _census_kind(kind)
        how, getter = kinds[kind]
        if how == "text":
            texts.update(batch)
            continue
        if how == "skip":
            continue
        batch = _first_visits(batch, seen)
        if how == "fields":   # one list per field: no tuple per object for the garbage collector to count
            batches.extend(list(map(field, batch)) for field in getter)
        elif how == "items":
            batches.append(list(chain.from_iterable(batch)))
        else:
            batches.append(list(chain.from_iterable(map(dict.keys, batch))))
            batches.append(list(chain.from_iterable(map(dict.values, batch))))
    return texts


def _first_visits(batch: list[Any], seen: set[int]) -> list[Any]:
    """The containers of ``batch`` not met before (the first of any met twice in it), now marked as met."""
    ids = list(map(id, batch))
    if seen.isdisjoint(ids):              # the common case, checked in C: nothing met before...
        before = len(seen)
        seen.update(ids)
        if len(seen) - before == len(ids):   # ...and nothing twice in this batch
            return batch
        return list(dict(zip(ids, batch)).values())   # the first of each (zip keeps the first key's place)
    first = []
    for value in batch:
        if id(value) not in seen:
            seen.add(id(value))
            first.append(value)
    return first


def _census_kind(kind: type) -> tuple[str, Any]:
    """How the walk treats values of ``kind`` (its order of tests), and for a dataclass a getter for each of
    its init fields (the fields ``replace`` rebuilds)."""
    if kind is type(None) or issubclass(kind, _ATOMS):
        return "skip", None
    if issubclass(kind, str):
        return ("skip" if issubclass(kind, Enum) else "text"), None
    if issubclass(kind, Enum):
        return "skip", None
    if dataclasses.is_dataclass(kind):
        return "fields", tuple(operator.attrgetter(f.name) for f in dataclasses.fields(kind) if f.init)
    if issubclass(kind, (list, tuple, set, frozenset)):
        return "items", None
    if issubclass(kind, dict):
        return "mapping", None
    return "skip", None


class _Joined:
    """The census's texts for the joined passes: the ASCII ones without a line feed (most: names, versions,
    purls) joined by line feeds, as they are and in lower case (ASCII: the same offsets), and the others."""

    def __init__(self, texts: set[str]) -> None:
        plain = list(texts)
        joined = "\n".join(plain)
        self.others: list[str] = []
        if not joined.isascii() or joined.count("\n") != len(plain) - 1:
            self.others = [t for t in plain if not t.isascii() or "\n" in t]
            plain = [t for t in plain if t.isascii() and "\n" not in t]
            joined = "\n".join(plain)
        self.joined = joined
        self.lowered = joined.lower()

    def has_unsafe_character(self) -> bool:
        """Whether a joined text holds a character ``safe_text`` replaces: in ASCII, the controls but TAB, LF
        and CR (deleting every other byte is a C pass several times faster than the pattern's search)."""
        return bool(self.joined.encode("ascii").translate(None, _SAFE_ASCII))

    def text_at(self, offset: int) -> str:
        """The joined text that holds ``offset``."""
        joined = self.joined
        end = joined.find("\n", offset)
        return joined[joined.rfind("\n", 0, offset) + 1:end if end >= 0 else len(joined)]


_SAFE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


def _changed_texts(texts: set[str], joined: _Joined | None = None) -> dict[str, str]:
    """``{text: clean(text)}`` for the texts ``clean`` changes, found without a regex search per text.

    ``clean`` changes a text only where one of its patterns matches the text itself (each later pattern
    sees an unchanged text until one matches), so only the texts that a necessary condition of some pattern
    (``_CHANGE_MARKS``) finds go through ``clean``; every other text is clean as it is. The ASCII texts
    without a line feed are searched joined by line feeds (``_Joined``), in a few C-speed passes, each match
    mapped to the text holding its last character; the other texts (few) are all suspects.
    """
    joined = joined if joined is not None else _Joined(texts)
    suspects = list(joined.others)
    for pattern, case_folded in _CHANGE_MARKS:
        if pattern is _UNSAFE_TEXT and not joined.has_unsafe_character():
            continue
        for match in pattern.finditer(joined.lowered if case_folded else joined.joined):
            suspects.append(joined.text_at(match.end() - 1))
    changed = {}
    for text in dict.fromkeys(suspects):
        cleaned = clean(text)
        if cleaned != text:
            changed[text] = cleaned
    return changed


# For each pattern clean applies, necessary conditions of a match inside one text (see _changed_texts). A
# condition's match may run across a line feed (\s) into a false suspect, never hide a true one. Each starts
# with a literal, so the regex engine skips to it (one alternation of them all is ten times slower). In lower
# case, the ASCII texts match a lower-case pattern exactly where they match it ignoring case.
_CHANGE_MARKS: tuple[tuple[re.Pattern[str], bool], ...] = (   # (condition, searched in lower case)
    (_UNSAFE_TEXT, False),
    (re.compile(re.escape("://")), False),                                           # _URL_USERINFO
    (re.compile(_SECRET_PARAM.pattern.replace("(?i)", "")), True),                   # never spans a line feed
    *((re.compile(shape), False) for shape in (                                      # _TOKEN_SHAPES, their case
        "A(?:KIA|SIA|GPA|IDA|ROA|NPA|Iza)", "gh[pousr]_", "github_pat_", "glpat-", "xox", "_live_", "npm_", "eyJ",
        "-----BEGIN")),
    *((re.compile(word + r"\s*[=:]"), True) for word in (                            # _ASSIGNED_SECRET's ends
        "password", "passwd", "pwd", "secret", "key", "token")),
    (re.compile(r"-(?<!\S-)-?(?:pass|token|secret|api-?key|access-key|auth)"), True),  # _FLAG_SECRET: ^ or \s
)


def _may_hold_flag_word(texts: set[str], changed: dict[str, str], joined: _Joined | None = None) -> bool:
    """Whether some clean text is a ``--password``-style word, after which an argv tuple's item is masked.

    The joined ASCII texts are searched in one pass; the others, and the clean forms of the changed texts,
    one by one, since a non-ASCII word may case-fold into one (ſ, K).
    """
    joined = joined if joined is not None else _Joined(texts)
    if _FLAG_WORD_LINE.search(joined.lowered) is not None:
        return True
    return any(text[:1] == "-" and _SECRET_FLAG_WORD.fullmatch(text) for text in (*joined.others, *changed.values()))


# _SECRET_FLAG_WORD.fullmatch of one line of ASCII texts joined by line feeds, in lower case
_FLAG_WORD_LINE = re.compile(r"(?m)-(?<![^\n]-)-?(?:password|passwd|pass|token|secret|api-key|apikey|access-key|auth)$")


class _Walker:
    """Rebuilds the object graph with clean strings, keeping identity for objects seen twice.

    ``changed`` maps the texts that ``clean`` changes to their clean form (from ``_changed_texts``); every
    other text the walk meets is already clean.
    """

    def __init__(self, changed: dict[str, str]) -> None:
        self._seen: dict[int, Any] = {}
        self._changed = changed
        self._init_fields: dict[type, tuple[str, ...] | None] = {}   # per class: its init fields, None if no dataclass

    def walk(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:   # the common case first; str subclasses (str enums) take the general path
            return self._text(value)
        if value is None or kind in _ATOMS:
            return value
        if isinstance(value, str):
            return value if isinstance(value, Enum) else self._text(value)
        if isinstance(value, (*_ATOMS, Enum)):
            return value
        key = id(value)
        if key in self._seen:
            return self._seen[key]
        result = self._walk_container(value)
        self._seen[key] = result
        return result

    def _text(self, value: str) -> str:
        return self._changed.get(value, value)

    def _fields_of(self, kind: type) -> tuple[str, ...] | None:
        if kind not in self._init_fields:
            self._init_fields[kind] = (tuple(f.name for f in dataclasses.fields(kind) if f.init)
                                       if dataclasses.is_dataclass(kind) else None)
        return self._init_fields[kind]

    def _walk_container(self, value: Any) -> Any:
        names = self._fields_of(type(value))
        if names is not None:
            changes = {}
            for name in names:
                current = getattr(value, name)
                cleaned = self.walk(current)
                if cleaned is not current:
                    changes[name] = cleaned
            return dataclasses.replace(value, **changes) if changes else value
        if isinstance(value, list):
            items = [self.walk(v) for v in value]
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if isinstance(value, tuple):
            items = _mask_flag_values([self.walk(v) for v in value])
            if not any(a is not b for a, b in zip(items, value, strict=True)):
                return value
            return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
        if isinstance(value, (set, frozenset)):
            return type(value)(self.walk(v) for v in value)
        if isinstance(value, dict):
            pairs = [(self.walk(k), self.walk(v)) for k, v in value.items()]
            if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
                return value
            return dict(pairs)
        return value


def _mask_flag_values(items: list[Any]) -> list[Any]:
    """In an argv-like tuple (entrypoint, cmd, healthcheck), the word after ``--password`` is a secret."""
    for index in range(1, len(items)):
        before, value = items[index - 1], items[index]
        if (isinstance(before, str) and isinstance(value, str) and value != REDACTED
                and _SECRET_FLAG_WORD.fullmatch(before)):
            items[index] = REDACTED
    return items
