"""The Jinja2 environment for scc's own HTML views (notebook summary, HTML report): the shipped templates/
only, sandboxed, autoescaped, undefined names an error. Values from inputs are text, never markup."""
from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import Any

from scc.resources import pack_dir


@cache
def html_environment() -> Any:
    """A sandboxed, autoescaping environment over the shipped templates (cached: it holds no run state)."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(pack_dir("templates"))), autoescape=True,
                                         undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(template: str, **values: Any) -> str:
    """Render one shipped template with autoescaping."""
    rendered: str = html_environment().get_template(template).render(**values)
    return rendered


def shipped_asset(name: str) -> str:
    """A stylesheet or script of the shipped templates/, for inlining; one holding ``</`` would close its
    element early, so it is refused (a shipped-asset bug, never input-driven)."""
    text = (pack_dir("templates") / name).read_text(encoding="utf-8")
    if "</" in text:
        raise ValueError(f"templates/{name} must not contain '</'")
    return text


def csp_hash(text: str) -> str:
    """The Content-Security-Policy hash source of an inline script or style: ``sha256-<base64>``."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
