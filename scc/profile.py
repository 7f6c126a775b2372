"""The system profile: what an organisation states about its system, which no image fact can show.

A YAML file (``scc init-profile`` writes a commented template; ``--profile FILE`` reads it) with the
system's name and id, FIPS 199 categorisation (SP 800-60 information types), parties and roles,
operational status, authorization boundary and environment, interconnections, ports/protocols/services,
leveraged authorizations, per-control responsibility / narrative / parameter values, marking and
version history. Everything is optional: what the profile does not give stays ``None`` or empty and
the writers print "not provided" for it; nothing is invented. Every problem is a ``ProfileError``
naming the file and the field (``profile.yaml: controls.ac-2.responsibility: ...``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from scc.errors import SccError

NOT_PROVIDED = "not provided"
IMPACTS = ("low", "moderate", "high")
STATUSES = ("operational", "under-development", "under-major-modification", "disposition", "other")
RESPONSIBILITIES = ("provided", "inherited", "shared", "customer")
#: profile role key -> (OSCAL role id, title)
ROLES = {
    "owner": ("system-owner", "System Owner"),
    "authorizing-official": ("authorizing-official", "Authorizing Official"),
    "isso": ("information-system-security-officer", "Information System Security Officer"),
    "issm": ("information-system-security-manager", "Information System Security Manager"),
    "preparer": ("prepared-by", "Prepared By"),
}
_INFO_TYPE_ID = re.compile(r"^[CD]\.\d+(\.\d+){1,3}$")          # SP 800-60 Vol. II, e.g. C.3.5.8, D.1.1
_CONTROL_ID = re.compile(r"^[a-z]{2}-\d{1,2}(\.\d{1,2})?$")
_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")               # OSCAL token (param ids, party keys)
_TOP_KEYS = {"system", "categorization", "parties", "roles", "status", "authorization-boundary",
             "environment", "data-flow", "interconnections", "ports-protocols-services",
             "leveraged-authorizations", "controls", "marking", "version-history", "users"}


class ProfileError(SccError):
    """A system profile that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class InformationType:
    """An SP 800-60 information type the system handles and its FIPS 199 impact for each objective."""

    id: str                       # SP 800-60 id, e.g. C.3.5.8
    title: str
    description: str | None
    confidentiality: str          # low | moderate | high
    integrity: str
    availability: str


@dataclass(frozen=True)
class Party:
    """A person or organisation the profile names (``parties:``); roles and authorizations refer to its key."""

    key: str
    name: str
    type: str = "person"          # person | organization
    email: str | None = None


@dataclass(frozen=True)
class Interconnection:
    """A connection to another system: its name, the remote system, the direction and a description."""

    name: str
    remote_system: str | None
    direction: str | None         # incoming | outgoing | bidirectional
    description: str | None


@dataclass(frozen=True)
class PortProtocolService:
    """A port (or range), transport and service the system uses, and why."""

    port: str                     # "443" or "8000-8080"
    transport: str                # TCP | UDP
    service: str
    purpose: str | None


@dataclass(frozen=True)
class LeveragedAuthorization:
    """An authorization the system inherits controls from: who granted it, when, which controls."""

    name: str
    party: str | None             # a key of parties
    date_authorized: str | None   # YYYY-MM-DD
    controls: tuple[str, ...]
    description: str | None


@dataclass(frozen=True)
class ControlEntry:
    """What the organisation states about one control: responsibility, narrative, parameter values, part
    texts."""

    control_id: str
    responsibility: str | None    # provided | inherited | shared | customer
    implementation: str | None
    parameters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    statements: tuple[tuple[str, str], ...] = ()     # part label (a, b, a.1) -> text
    inherited_from: str | None = None                # name of a leveraged authorization


@dataclass(frozen=True)
class Revision:
    """One entry of the profile's version history."""

    version: str
    date: str
    description: str | None
    author: str | None


@dataclass(frozen=True)
class User:
    """A user type of the system: title, role and privileges."""

    title: str
    role: str | None
    privileges: str | None


@dataclass(frozen=True)
class SystemProfile:
    """What an organisation states about its system; every field is optional (None or empty: not provided)."""

    source: str | None = None     # the file it came from (None: no profile given)
    name: str | None = None
    id: str | None = None
    id_type: str | None = None
    short_name: str | None = None
    description: str | None = None
    information_types: tuple[InformationType, ...] = ()
    parties: tuple[Party, ...] = ()
    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()   # profile role key -> party keys
    status: str | None = None
    authorization_boundary: str | None = None
    environment: str | None = None
    data_flow: str | None = None
    interconnections: tuple[Interconnection, ...] = ()
    ports: tuple[PortProtocolService, ...] = ()
    leveraged: tuple[LeveragedAuthorization, ...] = ()
    controls: tuple[ControlEntry, ...] = ()
    users: tuple[User, ...] = ()
    marking: str | None = None
    version_history: tuple[Revision, ...] = ()

    def control(self, control_id: str) -> ControlEntry | None:
        """The profile's entry for a control id (any case), or None."""
        wanted = control_id.strip().lower()
        return next((c for c in self.controls if c.control_id == wanted), None)

    def party(self, key: str) -> Party | None:
        """The party with this key, or None."""
        return next((p for p in self.parties if p.key == key), None)

    def impact(self, objective: str) -> str | None:
        """The FIPS 199 high-water mark of one objective over the information types (None: none given)."""
        levels = [getattr(t, objective) for t in self.information_types]
        return max(levels, key=IMPACTS.index) if levels else None

    def sensitivity(self) -> str | None:
        """The FIPS 199 security categorisation: the high-water mark over all three objectives (None: none
        given)."""
        levels = [lvl for lvl in (self.impact(o) for o in ("confidentiality", "integrity", "availability")) if lvl]
        return max(levels, key=IMPACTS.index) if levels else None


EMPTY_PROFILE = SystemProfile()


def load_profile(path: str | Path) -> SystemProfile:
    """Read and validate a system profile YAML; ProfileError names the file and the field."""
    from scc.yamlsafe import YamlRefused, load_file

    try:
        data = load_file(path)
    except YamlRefused as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    return parse_profile(data, str(path))


def parse_profile(data: Any, source: str) -> SystemProfile:
    """A system profile from already-parsed YAML ``data``; ProfileError names ``source`` and the field."""
    reader = _Reader(source)
    if data is None:
        data = {}
    top = reader.mapping(data, "(top level)")
    unknown = sorted(set(map(str, top)) - _TOP_KEYS)
    if unknown:
        reader.fail(unknown[0], f"unknown field (expected one of {', '.join(sorted(_TOP_KEYS))})")
    system = reader.mapping(top.get("system") or {}, "system")
    reader.only(system, "system", {"name", "id", "id-type", "short-name", "description"})
    parties = tuple(reader.party(p, f"parties[{i}]") for i, p in enumerate(reader.sequence(top.get("parties"), "parties")))
    keys = {p.key for p in parties}
    if len(keys) != len(parties):
        reader.fail("parties", "two parties share one id")
    leveraged = tuple(reader.leveraged(x, f"leveraged-authorizations[{i}]", keys)
                      for i, x in enumerate(reader.sequence(top.get("leveraged-authorizations"),
                                                            "leveraged-authorizations")))
    return SystemProfile(
        source=source,
        name=reader.text(system.get("name"), "system.name"),
        id=reader.text(system.get("id"), "system.id"),
        id_type=reader.text(system.get("id-type"), "system.id-type"),
        short_name=reader.text(system.get("short-name"), "system.short-name"),
        description=reader.text(system.get("description"), "system.description"),
        information_types=reader.categorization(top.get("categorization")),
        parties=parties,
        roles=reader.roles(top.get("roles"), keys),
        status=reader.choice(top.get("status"), "status", STATUSES),
        authorization_boundary=reader.text(top.get("authorization-boundary"), "authorization-boundary"),
        environment=reader.text(top.get("environment"), "environment"),
        data_flow=reader.text(top.get("data-flow"), "data-flow"),
        interconnections=tuple(reader.interconnection(x, f"interconnections[{i}]")
                               for i, x in enumerate(reader.sequence(top.get("interconnections"),
                                                                     "interconnections"))),
        ports=tuple(reader.port(x, f"ports-protocols-services[{i}]")
                    for i, x in enumerate(reader.sequence(top.get("ports-protocols-services"),
                                                          "ports-protocols-services"))),
        leveraged=leveraged,
        controls=reader.controls(top.get("controls"), {x.name for x in leveraged}),
        users=tuple(reader.user(x, f"users[{i}]") for i, x in enumerate(reader.sequence(top.get("users"), "users"))),
        marking=reader.text(top.get("marking"), "marking"),
        version_history=tuple(reader.revision(x, f"version-history[{i}]")
                              for i, x in enumerate(reader.sequence(top.get("version-history"),
                                                                    "version-history"))),
    )


class _Reader:
    """Field-by-field checks; each failure is one ProfileError naming the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> NoReturn:
        raise ProfileError(f"{self.source}: {where}: {problem}")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {_kind(value)}")
        return value

    def sequence(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {_kind(value)}")
        return value

    def only(self, value: dict[str, Any], where: str, allowed: set[str]) -> None:
        unknown = sorted(set(map(str, value)) - allowed)
        if unknown:
            self.fail(f"{where}.{unknown[0]}", f"unknown field (expected one of {', '.join(sorted(allowed))})")

    def text(self, value: Any, where: str, required: bool = False) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(where, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(where, f"expected text, got {_kind(value)}")
        return str(value).strip()

    def choice(self, value: Any, where: str, allowed: tuple[str, ...], required: bool = False) -> str | None:
        text = self.text(value, where, required)
        if text is not None and text.lower() not in allowed:
            self.fail(where, f"{text!r} is not one of {', '.join(allowed)}")
        return text.lower() if text is not None else None

    def day(self, value: Any, where: str, required: bool = False) -> str | None:
        text = self.text(value, where, required)
        if text is None:
            return None
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            self.fail(where, f"{text!r} is not a date (YYYY-MM-DD)")
            raise  # unreachable: fail raises

    def categorization(self, value: Any) -> tuple[InformationType, ...]:
        if value is None:
            return ()
        body = self.mapping(value, "categorization")
        self.only(body, "categorization", {"information-types"})
        items = []
        for i, raw in enumerate(self.sequence(body.get("information-types"), "categorization.information-types")):
            where = f"categorization.information-types[{i}]"
            entry = self.mapping(raw, where)
            self.only(entry, where, {"id", "title", "description", "confidentiality", "integrity", "availability"})
            type_id = self.text(entry.get("id"), f"{where}.id", required=True) or ""
            if not _INFO_TYPE_ID.match(type_id):
                self.fail(f"{where}.id", f"{type_id!r} is not an SP 800-60 information type id (e.g. C.3.5.8)")
            items.append(InformationType(
                id=type_id,
                title=self.text(entry.get("title"), f"{where}.title", required=True) or "",
                description=self.text(entry.get("description"), f"{where}.description"),
                **{o: self.choice(entry.get(o), f"{where}.{o}", IMPACTS, required=True) or ""
                   for o in ("confidentiality", "integrity", "availability")},
            ))
        return tuple(items)

    def party(self, value: Any, where: str) -> Party:
        entry = self.mapping(value, where)
        self.only(entry, where, {"id", "name", "type", "email"})
        key = self.text(entry.get("id"), f"{where}.id", required=True) or ""
        if not _TOKEN.match(key):
            self.fail(f"{where}.id", f"{key!r} must be a word (letters, digits, - _ .)")
        email = self.text(entry.get("email"), f"{where}.email")
        if email is not None and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            self.fail(f"{where}.email", f"{email!r} is not an email address")
        return Party(key=key, name=self.text(entry.get("name"), f"{where}.name", required=True) or "",
                     type=self.choice(entry.get("type"), f"{where}.type", ("person", "organization")) or "person",
                     email=email)

    def roles(self, value: Any, parties: set[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if value is None:
            return ()
        body = self.mapping(value, "roles")
        self.only(body, "roles", set(ROLES))
        out = []
        for role in ROLES:
            if role not in body:
                continue
            raw = body[role]
            names = raw if isinstance(raw, list) else [raw]
            keys = tuple(self.text(n, f"roles.{role}", required=True) or "" for n in names)
            for key in keys:
                if key not in parties:
                    self.fail(f"roles.{role}", f"{key!r} is not the id of an entry in parties")
            out.append((role, keys))
        return tuple(out)

    def interconnection(self, value: Any, where: str) -> Interconnection:
        entry = self.mapping(value, where)
        self.only(entry, where, {"name", "remote-system", "direction", "description"})
        return Interconnection(
            name=self.text(entry.get("name"), f"{where}.name", required=True) or "",
            remote_system=self.text(entry.get("remote-system"), f"{where}.remote-system"),
            direction=self.choice(entry.get("direction"), f"{where}.direction",
                                  ("incoming", "outgoing", "bidirectional")),
            description=self.text(entry.get("description"), f"{where}.description"))

    def port(self, value: Any, where: str) -> PortProtocolService:
        entry = self.mapping(value, where)
        self.only(entry, where, {"port", "transport", "service", "purpose"})
        port = self.text(entry.get("port"), f"{where}.port", required=True) or ""
        match = re.match(r"^(\d{1,5})(?:-(\d{1,5}))?$", port)
        if not match or int(match.group(1)) > 65535 or int(match.group(2) or 0) > 65535:
            self.fail(f"{where}.port", f"{port!r} is not a port number or range (0-65535)")
        transport = (self.choice(entry.get("transport"), f"{where}.transport", ("tcp", "udp")) or "tcp").upper()
        return PortProtocolService(port=port, transport=transport,
                                   service=self.text(entry.get("service"), f"{where}.service", required=True) or "",
                                   purpose=self.text(entry.get("purpose"), f"{where}.purpose"))

    def control_id(self, value: Any, where: str) -> str:
        text = (self.text(value, where, required=True) or "").lower()
        if not _CONTROL_ID.match(text):
            self.fail(where, f"{text!r} is not an SP 800-53 control id (e.g. ac-2, ac-6.10)")
        return text

    def leveraged(self, value: Any, where: str, parties: set[str]) -> LeveragedAuthorization:
        entry = self.mapping(value, where)
        self.only(entry, where, {"name", "party", "date-authorized", "controls", "description"})
        party = self.text(entry.get("party"), f"{where}.party")
        if party is not None and party not in parties:
            self.fail(f"{where}.party", f"{party!r} is not the id of an entry in parties")
        controls = tuple(self.control_id(c, f"{where}.controls[{i}]")
                         for i, c in enumerate(self.sequence(entry.get("controls"), f"{where}.controls")))
        return LeveragedAuthorization(
            name=self.text(entry.get("name"), f"{where}.name", required=True) or "", party=party,
            date_authorized=self.day(entry.get("date-authorized"), f"{where}.date-authorized"),
            controls=controls, description=self.text(entry.get("description"), f"{where}.description"))

    def controls(self, value: Any, leveraged: set[str]) -> tuple[ControlEntry, ...]:
        if value is None:
            return ()
        body = self.mapping(value, "controls")
        entries = []
        for raw_id, raw in body.items():
            control_id = self.control_id(raw_id, f"controls.{raw_id}")
            where = f"controls.{raw_id}"
            entry = self.mapping(raw or {}, where)
            self.only(entry, where, {"responsibility", "implementation", "parameters", "statements", "inherited-from"})
            inherited_from = self.text(entry.get("inherited-from"), f"{where}.inherited-from")
            if inherited_from is not None and inherited_from not in leveraged:
                self.fail(f"{where}.inherited-from", f"{inherited_from!r} is not the name of a leveraged authorization")
            entries.append(ControlEntry(
                control_id=control_id,
                responsibility=self.choice(entry.get("responsibility"), f"{where}.responsibility", RESPONSIBILITIES),
                implementation=self.text(entry.get("implementation"), f"{where}.implementation"),
                parameters=self.parameters(entry.get("parameters"), f"{where}.parameters"),
                statements=self.statements(entry.get("statements"), f"{where}.statements"),
                inherited_from=inherited_from))
        ids = [e.control_id for e in entries]
        if len(set(ids)) != len(ids):
            self.fail("controls", "one control is given twice (ids are case-insensitive)")
        return tuple(sorted(entries, key=lambda e: e.control_id))

    def parameters(self, value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if value is None:
            return ()
        out = []
        for param_id, raw in self.mapping(value, where).items():
            if not isinstance(param_id, str) or not _TOKEN.match(param_id):
                self.fail(f"{where}.{param_id}", "a parameter id is a word such as ac-02_odp.01")
            values = raw if isinstance(raw, list) else [raw]
            out.append((param_id, tuple(self.text(v, f"{where}.{param_id}", required=True) or "" for v in values)))
        return tuple(sorted(out))

    def statements(self, value: Any, where: str) -> tuple[tuple[str, str], ...]:
        if value is None:
            return ()
        out = []
        for label, raw in self.mapping(value, where).items():
            label_text = str(label)
            if not re.match(r"^[a-z0-9]+(\.[a-z0-9]+)*$", label_text):
                self.fail(f"{where}.{label}", "a statement part is named by its label: a, b, a.1 ...")
            out.append((label_text, self.text(raw, f"{where}.{label}", required=True) or ""))
        return tuple(sorted(out))

    def user(self, value: Any, where: str) -> User:
        entry = self.mapping(value, where)
        self.only(entry, where, {"title", "role", "privileges"})
        return User(title=self.text(entry.get("title"), f"{where}.title", required=True) or "",
                    role=self.text(entry.get("role"), f"{where}.role"),
                    privileges=self.text(entry.get("privileges"), f"{where}.privileges"))

    def revision(self, value: Any, where: str) -> Revision:
        entry = self.mapping(value, where)
        self.only(entry, where, {"version", "date", "description", "author"})
        return Revision(version=self.text(entry.get("version"), f"{where}.version", required=True) or "",
                        date=self.day(entry.get("date"), f"{where}.date", required=True) or "",
                        description=self.text(entry.get("description"), f"{where}.description"),
                        author=self.text(entry.get("author"), f"{where}.author"))


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(value), type(value).__name__)


TEMPLATE = """\
# scc system profile: what the image cannot show. Every field is optional; what you leave out is
# printed as "not provided" in the SSP, never guessed. Dates are YYYY-MM-DD.
system:
  name: Example API service            # the system's name as the authorization package names it
  id: EX-0001                          # the system identifier (eMASS/FedRAMP id)
  # id-type: https://example.gov/ns/system-id
  short-name: EXAPI
  description: >-
    Describe what the system does and who uses it.
categorization:                        # FIPS 199 via NIST SP 800-60 Vol. II information types
  information-types:
    - id: C.3.5.8                      # SP 800-60 id
      title: Information Security
      confidentiality: moderate        # low | moderate | high
      integrity: moderate
      availability: low
parties:                               # people and organisations named below by id
  - {id: owner, name: Jane Owner, type: person, email: jane.owner@example.gov}
  - {id: ao, name: Alex Authorizer, type: person}
  - {id: agency, name: Example Agency, type: organization}
roles:                                 # owner | authorizing-official | isso | issm | preparer -> party ids
  owner: owner
  authorizing-official: ao
  # isso: ...
  # issm: ...
  # preparer: ...
status: under-development              # operational | under-development | under-major-modification | disposition | other
authorization-boundary: >-
  Describe what is inside the authorization boundary.
# environment: Describe the hosting environment / network architecture.
# data-flow: Describe how data moves through the system.
interconnections: []
#  - {name: Agency IdP, remote-system: idp.example.gov, direction: outgoing, description: SAML login}
ports-protocols-services:
  - {port: 8443, transport: tcp, service: https, purpose: API}
leveraged-authorizations: []
#  - name: Example Cloud IaaS
#    party: agency
#    date-authorized: 2026-01-15
#    controls: [pe-3, pe-6]
users:
  - {title: Administrator, role: admin, privileges: manage the deployment}
controls:                              # per control: responsibility, narrative, parameter values
  ac-2:
    responsibility: customer           # provided | inherited | shared | customer
    implementation: >-
      Accounts are managed in the agency identity provider.
    # parameters: {ac-02_odp.01: "system administrators"}
    # statements: {a: "...", b: "..."}
    # inherited-from: Example Cloud IaaS
marking: CUI                           # classification / CUI marking, e.g. UNCLASSIFIED, CUI
version-history:
  - {version: "0.1", date: 2026-11-01, description: Initial draft, author: Jane Owner}
"""


def write_template(path: str | Path) -> Path:
    """Write the commented template (refuses to overwrite an existing file)."""
    from scc.errors import OutputError

    target = Path(path)
    if target.exists():
        raise OutputError(f"{target}: already exists; not overwritten")
    try:
        target.write_text(TEMPLATE, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from exc
    return target


__all__ = ["EMPTY_PROFILE", "NOT_PROVIDED", "ProfileError", "SystemProfile", "load_profile", "write_template"]
