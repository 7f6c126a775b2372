"""Software-installation checks (CM-14, CM-11(2)): package managers verify signatures with trusted keys,
and installing system software needs privilege.

- ``package_signatures_enforced`` (SRG-OS-000366): every package manager in the image is configured
  to verify package signatures (no apt ``[trusted=yes]`` / AllowUnauthenticated, dnf/yum gpgcheck=1,
  no apk allow-untrusted) and has trusted keys. A signature over the image or its provenance says
  nothing about this and is not consulted.
- ``software_install_requires_privilege`` (SRG-OS-000362): a package manager is not a finding by
  itself; the question is whether the image's runtime user can install system software without
  privilege: it runs as root, or it owns or may write system-software paths.
"""

from __future__ import annotations

from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import cite_files, executables_of, gather, listing, manual, outcome, plural
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.image.fs_scan import SYSTEM_WRITE_CAP
from scc.facts.model import Evidence, FileEntry, ImageFacts, PackageSigning

_NO_FS = "No image filesystem was supplied; supply the image to read its package manager configuration."


def _signing_row(record: PackageSigning) -> dict[str, Any]:
    return {"manager": record.manager, "keys": list(record.keys)[:20],
            "bypasses": [f"{s.key} = {s.value} ({s.where()})" for s in record.bypasses][:20],
            "gaps": [f"{s.key} {s.value} ({s.where()})" for s in record.gaps][:20]}


@check(
    "package_signatures_enforced", CheckParams,
    consults=("filesystem.package_signing", "filesystem.executables"),
)
def package_signatures_enforced(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """Every package manager in the image verifies package signatures against trusted keys it carries."""
    fs = facts.filesystem
    if fs is None:
        return manual(_NO_FS)
    records = fs.package_signing
    details = {"managers": [_signing_row(r) for r in records]}
    evidence = [e for r in records for e in r.evidence] + [
        e for s in (x for r in records for x in (*r.bypasses, *r.gaps)) for e in cite_files(fs, [s.where()])]
    if not records:
        managers = executables_of(fs, "package manager", ctx.tables)
        if managers:
            return manual(f"The image has {listing(e.path for e in managers)} but none of apt, dnf/yum "
                          "or apk configuration; confirm how that tool verifies what it installs.",
                          gather(managers), **details)
        return outcome(Verdict.NOT_APPLICABLE,
                       "The image has no OS package manager (no apt, dnf/yum or apk), so no OS component can be "
                       "installed in it; how its components were verified when the image was built is "
                       "evidenced by the build (SR-4 provenance), not by the image.", fs.evidence[:1], **details)
    bypassed = [(r.manager, s) for r in records for s in r.bypasses]
    keyless = [r.manager for r in records if not r.keys]
    if bypassed or keyless:
        what = [f"{m}: {s.key} {s.value} ({s.where()})" for m, s in bypassed]
        what += [f"{m} has no trusted signing key" for m in keyless]
        return outcome(Verdict.NOT_SATISFIED,
                       f"Package signature verification is switched off or cannot work: {listing(what, 4)}.",
                       evidence, **details)
    gaps = [(r.manager, s) for r in records for s in r.gaps]
    if gaps:
        return outcome(Verdict.PARTIAL,
                       "Package signatures are verified where configured, but "
                       f"{listing([f'{m}: {s.key} {s.value} ({s.where()})' for m, s in gaps], 4)}; set "
                       "verification explicitly or show the approved process that verifies these packages.",
                       evidence, **details)
    said = "; ".join(f"{r.manager} verifies signatures with {plural(len(r.keys), 'trusted key')} "
                     f"({listing(r.keys, 3)})" for r in records)
    return outcome(Verdict.SATISFIED,
                   f"{said}; no repository or setting disables verification.", evidence, **details)


# -- installation privilege ------------------------------------------------------------------
def _runtime_uid(facts: ImageFacts) -> tuple[int | None, int | None, str]:
    """(uid, gid, why) of the image's runtime user; uid None when it cannot be resolved."""
    assert facts.config is not None
    declared = facts.config.user.strip()
    user, _, group = declared.partition(":")
    user, group = user.strip(), group.strip()
    if not user or user in ("root", "0"):
        return 0, 0, f"USER {declared or '(not set)'} is root"
    accounts = {name: uid for name, uid, _ in facts.filesystem.accounts} if facts.filesystem else {}
    uid = int(user) if user.isdigit() else accounts.get(user)
    gid = int(group) if group.isdigit() else None
    return uid, gid, f"USER {declared}"


def _writable_by(entries: list[FileEntry], uid: int, gid: int | None) -> list[FileEntry]:
    return [e for e in entries if e.uid == uid or (gid is not None and e.gid == gid and e.mode & 0o020)
            or (e.mode & 0o002 and not e.mode & 0o1000)]


@check(
    "software_install_requires_privilege", CheckParams,
    consults=(
        "config.user", "filesystem.accounts", "filesystem.executables",
        "filesystem.system_write_access"),
)
def software_install_requires_privilege(
    facts: ImageFacts, params: CheckParams, ctx: CheckContext
) -> CheckOutcome:
    """The image's runtime user cannot install system software without privilege: it is not root and owns
    or may write no system-software path (package databases, /usr, /etc, /bin, /lib)."""
    fs = facts.filesystem
    if fs is None:
        return manual(_NO_FS)
    if facts.config is None:
        return manual("No image config was supplied; the runtime user decides who can install software. Supply "
                      "`docker inspect` output or the OCI image config.")
    managers = executables_of(fs, "package manager", ctx.tables)
    tools = [e.path for e in managers]
    uid, gid, who = _runtime_uid(facts)
    details = {"user": facts.config.user, "uid": uid, "package_managers": tools[:20]}
    config_ev: list[Evidence] = [facts.config.field_evidence["user"]] if "user" in facts.config.field_evidence \
        else list(facts.config.evidence[:1])
    if uid == 0:
        verdict = Verdict.NOT_SATISFIED if tools else Verdict.PARTIAL
        how = (f"any process can install system software with {listing(tools, 3)}" if tools else
               "any process can write system software directories, though the image has no package manager")
        return outcome(verdict, f"The image runs as root ({who}): {how} without asking for privilege.",
                       config_ev + gather(managers, 5), **details)
    if uid is None:
        return manual(f"The image config sets {who}, which the image's /etc/passwd does not resolve to a uid; "
                      "confirm the runtime uid is not 0 and owns no system software.", config_ev, **details)
    passwd = next((e for e in fs.system_write_access if e.path == "/etc/passwd"), None)
    if passwd is not None and passwd.uid not in (0, uid):
        return manual(f"The tree's files belong to uid {passwd.uid} (its /etc/passwd too): ownership looks like "
                      "the extracting user's, not the image's; read the image itself (OCI layout or docker save "
                      "tar) to decide who may change system software.", config_ev, **details)
    writable = _writable_by(fs.system_write_access, uid, gid)
    details["writable"] = [e.path for e in writable][:20]
    if writable:
        return outcome(Verdict.NOT_SATISFIED,
                       f"The runtime user ({who}, uid {uid}) owns or may write "
                       f"{plural(len(writable), 'system-software path')}: {listing(e.path for e in writable)}; "
                       "it can change or install system software without privilege.",
                       config_ev + gather(writable, 20), **details)
    if len(fs.system_write_access) >= SYSTEM_WRITE_CAP:
        return manual(f"More than {SYSTEM_WRITE_CAP} system-software paths are not root-owned; scc recorded only the "
                      f"first {SYSTEM_WRITE_CAP}, none owned by uid {uid}; review the ownership of the rest.",
                      config_ev, **details)
    tool_text = (f"{listing(tools, 3)} needs root to install (its database and the system directories are "
                 "root-owned)" if tools else "the image has no package manager")
    return outcome(Verdict.SATISFIED,
                   f"The image runs as {who} (uid {uid}, not root), which owns and may write no system-software "
                   f"path; {tool_text}.", config_ev + fs.evidence[:1], **details)
