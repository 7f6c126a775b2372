"""Least-privilege checks (AC-6, AC-6(10), AC-2, CM-5(6)): the runtime user, setuid/setgid programs,
world-writable files and accounts that could log in.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import at_most, capped, cite_files, gather, listing, manual, outcome, plural
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.model import Evidence, FileEntry, ImageFacts

_NO_FS = (
    "No image filesystem was supplied; supply the image (OCI layout, docker save tar or unpacked root "
    "filesystem) to decide this."
)
_NOLOGIN = [
    "/sbin/nologin",
    "/usr/sbin/nologin",
    "/bin/false",
    "/usr/bin/false",
    "/bin/sync",
    "/sbin/halt",
    "/sbin/shutdown",
    "/dev/null",
    "",
]


def _config_evidence(facts: ImageFacts, name: str) -> list[Evidence]:
    assert facts.config is not None
    spot = facts.config.field_evidence.get(name)
    return [spot] if spot else list(facts.config.evidence[:1])


def _passwd_evidence(facts: ImageFacts) -> list[Evidence]:
    assert facts.filesystem is not None
    spots = [e for e in facts.filesystem.evidence if "passwd" in e.pointer or "passwd" in e.source]
    return spots[:1] or list(facts.filesystem.evidence[:1])


@check("non_root_user", CheckParams, consults=("config.user", "filesystem.accounts"))
def non_root_user(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """The image config names a non-root runtime user (cross-checked with /etc/passwd when known)."""
    if facts.config is None:
        return manual(
            "No image config was supplied; supply `docker inspect` output or the OCI image config "
            "to read the runtime user."
        )
    declared = facts.config.user.strip()
    user = declared.split(":", 1)[0].strip()
    evidence = _config_evidence(facts, "user")
    details: dict[str, Any] = {"user": declared, "uid": None, "cross_checked": False}
    if not user:
        return outcome(
            Verdict.NOT_SATISFIED,
            "The image config sets no USER, so containers run as root (uid 0).",
            evidence,
            **details,
        )
    if user in ("root", "0"):
        return outcome(
            Verdict.NOT_SATISFIED,
            f"The image config sets USER {declared}, which is root (uid 0).",
            evidence,
            **details,
        )
    accounts = {name: uid for name, uid, _ in facts.filesystem.accounts} if facts.filesystem else {}
    if user.isdigit():
        details["uid"] = int(user)
        names = [n for n, uid in accounts.items() if uid == int(user)]
        suffix = f" ({names[0]} in /etc/passwd)" if names else ""
        return outcome(
            Verdict.SATISFIED,
            f"The image config sets USER {declared}: numeric uid {int(user)}{suffix}, not root.",
            evidence,
            **details,
        )
    if facts.filesystem is None or not facts.filesystem.accounts:
        return manual(
            f"The image config sets USER {declared}, a named user whose uid cannot be read: no /etc/passwd "
            "from the image filesystem was supplied, and a name can map to uid 0; supply the image.",
            evidence,
            **details,
        )
    details["cross_checked"] = True
    evidence += _passwd_evidence(facts)
    if user not in accounts:
        return outcome(
            Verdict.PARTIAL,
            f"The image config sets USER {declared}, but the image's /etc/passwd "
            "defines no such account, so the runtime cannot resolve it to a uid.",
            evidence,
            **details,
        )
    details["uid"] = accounts[user]
    if accounts[user] == 0:
        return outcome(
            Verdict.NOT_SATISFIED,
            f"The image config sets USER {declared}, whose uid in the image's /etc/passwd is 0 (root).",
            evidence,
            **details,
        )
    return outcome(
        Verdict.SATISFIED,
        f"The image config sets USER {declared}, uid {accounts[user]} in the image's /etc/passwd, not root.",
        evidence,
        **details,
    )


def _entries_outcome(entries: list[FileEntry], what: str, file_count: int, facts: ImageFacts) -> CheckOutcome:
    details = {"files": capped(e.path for e in entries), "file_count": file_count}
    if not entries:
        return outcome(
            Verdict.SATISFIED,
            f"The image filesystem ({plural(file_count, 'file')}) has no {what}.",
            facts.filesystem.evidence[:1] if facts.filesystem else [],
            **details,
        )
    return outcome(
        Verdict.NOT_SATISFIED,
        f"The image filesystem has {plural(len(entries), what.rstrip('s'))}: "
        f"{listing(e.path for e in entries)}.",
        gather(entries, 30),
        **details,
    )


@dataclass(frozen=True)
class NoSetuidFilesParams(CheckParams):
    """Parameters of `no_setuid_files` (rule packs set them under ``params:``)."""

    allow: list[str] = field(default_factory=list)


@check("no_setuid_files", NoSetuidFilesParams, consults=("filesystem.setuid", "filesystem.setgid"))
def no_setuid_files(facts: ImageFacts, params: NoSetuidFilesParams, ctx: CheckContext) -> CheckOutcome:
    """No setuid or setgid files in the image filesystem, other than the allowed paths."""
    if facts.filesystem is None:
        return manual(_NO_FS)
    allowed = set(params.allow)
    entries = [e for e in [*facts.filesystem.setuid, *facts.filesystem.setgid] if e.path not in allowed]
    unique = list({e.path: e for e in entries}.values())
    return _entries_outcome(unique, "setuid/setgid files", facts.filesystem.file_count, facts)


@dataclass(frozen=True)
class NoWorldWritableFilesParams(CheckParams):
    """Parameters of `no_world_writable_files` (rule packs set them under ``params:``)."""

    allow: list[str] = field(default_factory=list)


@check("no_world_writable_files", NoWorldWritableFilesParams, consults=("filesystem.world_writable",))
def no_world_writable_files(
    facts: ImageFacts, params: NoWorldWritableFilesParams, ctx: CheckContext
) -> CheckOutcome:
    """No world-writable file, nor directory lacking the sticky bit (unlike /tmp), except allowed paths."""
    if facts.filesystem is None:
        return manual(_NO_FS)
    allowed = set(params.allow)
    entries = [
        e
        for e in facts.filesystem.world_writable
        if e.path not in allowed and not (e.mode & stat.S_ISVTX) and not stat.S_ISLNK(e.mode)
    ]
    return _entries_outcome(entries, "world-writable files", facts.filesystem.file_count, facts)


@dataclass(frozen=True)
class ServiceAccountsNoLoginShellParams(CheckParams):
    """Parameters of `service_accounts_no_login_shell` (rule packs set them under ``params:``)."""

    allow_users: list[str] = field(default_factory=lambda: ["root"])
    nologin_shells: list[str] = field(default_factory=lambda: list(_NOLOGIN))


@check(
    "service_accounts_no_login_shell", ServiceAccountsNoLoginShellParams,
    consults=("filesystem.accounts", "filesystem.login_users"),
)
def service_accounts_no_login_shell(
    facts: ImageFacts, params: ServiceAccountsNoLoginShellParams, ctx: CheckContext
) -> CheckOutcome:
    """No account in the image's /etc/passwd other than allow_users has an interactive login shell.

    Nobody logs in to a container: every account in an image is a service account."""
    if facts.filesystem is None:
        return manual(_NO_FS)
    nologin = set(params.nologin_shells)
    allowed = set(params.allow_users)
    shells = {user: shell for user, _, shell in facts.filesystem.accounts}
    shells.update({user: shell for user, shell in facts.filesystem.login_users if user not in shells})
    interactive = sorted(
        f"{user} ({shell})"
        for user, shell in shells.items()
        if user not in allowed and shell.strip() not in nologin
    )
    details = {"accounts": len(shells), "login_accounts": capped(interactive)}
    evidence = _passwd_evidence(facts) if facts.filesystem.evidence else []
    if not shells:
        return outcome(
            Verdict.SATISFIED, "The image filesystem defines no accounts with a shell.", evidence, **details
        )
    if not interactive:
        return outcome(
            Verdict.SATISFIED,
            f"None of the {plural(len(shells), 'account')} in the image's /etc/passwd other than "
            f"{', '.join(sorted(allowed)) or 'none'} has a login shell.",
            evidence,
            **details,
        )
    return outcome(
        Verdict.NOT_SATISFIED,
        f"{plural(len(interactive), 'service account')} in the image's /etc/passwd "
        f"{'has' if len(interactive) == 1 else 'have'} a login shell: {listing(interactive)}.",
        evidence,
        **details,
    )


@dataclass(frozen=True)
class NonRootWithoutEscalationParams(CheckParams):
    """Parameters of `non_root_without_escalation` (rule packs set them under ``params:``)."""

    best_verdict: str = "satisfied"
    limit: str = ""


@check(
    "non_root_without_escalation", NonRootWithoutEscalationParams,
    consults=("config.user", "filesystem.accounts", "filesystem.setuid", "filesystem.setgid"),
)
def non_root_without_escalation(
    facts: ImageFacts, params: NonRootWithoutEscalationParams, ctx: CheckContext
) -> CheckOutcome:
    """The image runs as a non-root uid AND carries no setuid/setgid program through which that user could run
    privileged code; `best_verdict` caps the verdict where the rest of the requirement is the platform's."""
    user = non_root_user(facts, CheckParams(), ctx)
    if user.verdict is not Verdict.SATISFIED:
        return user
    if facts.filesystem is None:
        return manual(f"{user.reason} Without the image filesystem, setuid/setgid programs that would let it run "
                      "privileged code cannot be excluded; supply the image.", user.evidence, **user.details)
    raised = list({e.path: e for e in [*facts.filesystem.setuid, *facts.filesystem.setgid]}.values())
    details = {**user.details, "setuid": capped(e.path for e in raised)}
    if raised:
        return outcome(Verdict.PARTIAL,
                       f"{user.reason} But {plural(len(raised), 'setuid/setgid program')} "
                       f"({listing(e.path for e in raised)}) lets it run code with the owner's privilege.",
                       [*user.evidence, *gather(raised, 20)], **details)
    result = outcome(Verdict.SATISFIED, f"{user.reason} The image has no setuid/setgid program to raise it.",
                     [*user.evidence, *facts.filesystem.evidence[:1]], **details)
    return at_most(result, params.best_verdict, params.limit)


@dataclass(frozen=True)
class SystemSoftwareRootOwnedParams(CheckParams):
    """Parameters of `system_software_root_owned` (rule packs set them under ``params:``)."""

    best_verdict: str = "satisfied"
    limit: str = ""


@check(
    "system_software_root_owned", SystemSoftwareRootOwnedParams,
    consults=("filesystem.system_write_access",),
)
def system_software_root_owned(
    facts: ImageFacts, params: SystemSoftwareRootOwnedParams, ctx: CheckContext
) -> CheckOutcome:
    """Every system-software path (/usr, /bin, /sbin, /lib*, /etc, package databases) is owned by root and
    writable by no other user or group; `best_verdict` caps the verdict where the rest is the platform's."""
    fs = facts.filesystem
    if fs is None:
        return manual(_NO_FS)
    passwd = next((e for e in fs.system_write_access if e.path == "/etc/passwd"), None)
    if passwd is not None and passwd.uid != 0:
        return manual(f"The tree's files belong to uid {passwd.uid} (its /etc/passwd too): ownership looks like the "
                      "extracting user's, not the image's; read the image itself (OCI layout or docker save tar).",
                      cite_files(fs, ["/etc/passwd"]))
    open_paths = list({e.path: e for e in fs.system_write_access}.values())
    details = {"paths": capped(e.path for e in open_paths), "file_count": fs.file_count}
    if open_paths:
        return outcome(Verdict.NOT_SATISFIED,
                       f"{plural(len(open_paths), 'system-software path')} can be changed by a user other than root: "
                       + listing(f"{e.path} ({e.owner}, {e.mode & 0o7777:04o})" for e in open_paths) + ".",
                       gather(open_paths, 30), **details)
    result = outcome(Verdict.SATISFIED,
                     f"Every system-software path in the image filesystem ({plural(fs.file_count, 'file')}) is owned "
                     "by root and writable by no other user or group.", fs.evidence[:1], **details)
    return at_most(result, params.best_verdict, params.limit)
