"""OpenSSL 3 configuration files read from an image filesystem: does this openssl.cnf activate FIPS?

Follows ``.include`` (a file or a directory of *.cnf / *.conf) inside the image only, to a fixed
depth. Activation means: the init section's ``providers`` section names a ``fips`` provider whose
section says ``activate = 1`` (yes/true/on), or the ``alg_section`` sets
``default_properties = fips=yes`` (every fetch then needs the FIPS provider).
"""
from __future__ import annotations

from scc.facts.image.vfs import VirtualFS

_MAX_INCLUDE_DEPTH = 8
_TRUE = {"1", "yes", "true", "on"}


def load(fs: VirtualFS, path: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """(section -> key -> value, files read in order) for the config at ``path`` with its includes."""
    sections: dict[str, dict[str, str]] = {"default": {}}
    used: list[str] = []
    _load(fs, path, sections, used, 0)
    return sections, used


def _load(fs: VirtualFS, path: str, sections: dict[str, dict[str, str]], used: list[str], depth: int) -> None:
    found = fs.resolve(path)
    if found is None or depth > _MAX_INCLUDE_DEPTH or found[0] in used:
        return
    canonical, node = found
    if node.kind == "dir":
        for name in fs.listdir(canonical):
            if name.endswith((".cnf", ".conf")):
                _load(fs, f"{canonical}/{name}", sections, used, depth + 1)
        return
    if node.content is None:
        return
    used.append(canonical)
    current = "default"
    directory = canonical.rpartition("/")[0]
    for raw in node.content.decode("utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(".include"):
            target = line[len(".include"):].lstrip(" \t=").strip().strip('"')
            if target and not target.startswith("$"):
                _load(fs, target if target.startswith("/") else f"{directory}/{target}", sections, used, depth + 1)
            continue
        if line.startswith("."):
            continue  # .pragma
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, {})
            continue
        key, sep, value = line.partition("=")
        if sep:
            sections.setdefault(current, {})[key.strip()] = value.strip().strip('"')


def fips_activation(fs: VirtualFS, path: str) -> tuple[bool, str, list[str]]:
    """(activated, why, files read) for the openssl.cnf at ``path``."""
    sections, used = load(fs, path)
    init = sections.get(sections["default"].get("openssl_conf", ""), {})
    providers = sections.get(init.get("providers", ""), {})
    fips_section_name = providers.get("fips", "")
    fips_section = sections.get(fips_section_name, {})
    algorithms = sections.get(init.get("alg_section", ""), {})
    properties = algorithms.get("default_properties", "").replace(" ", "")
    enforced = "fips=yes" in properties.split(",")
    included = ", ".join("/" + u for u in used[1:])
    suffix = f" (read with {included})" if included else ""
    if fips_section_name and fips_section.get("activate", "").strip().lower() in _TRUE:
        why = f"activates the fips provider ([{fips_section_name}] activate = 1)"
        if enforced:
            why += " and sets default_properties = fips=yes"
        return True, why + suffix, used
    if enforced:
        return True, "sets default_properties = fips=yes" + suffix, used
    if fips_section_name:
        return False, f"names a fips provider section [{fips_section_name}] but does not activate it" + suffix, used
    return False, "does not activate the fips provider" + suffix, used
