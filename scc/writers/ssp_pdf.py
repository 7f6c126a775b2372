"""The PDF System Security Plan, rendered from the OSCAL SSP (one source of truth) by WeasyPrint.

``render_ssp_pdf(ssp, poam, notes, marking)`` lays out an OSCAL system-security-plan (JSON dict), the
POA&M summary from an OSCAL plan-of-action-and-milestones, the input-reading notes and the marking:
the PDF says nothing those documents do not (scc.writers._ssp_view reads them). The writer builds the
SSP with ``scc.writers.oscal_ssp.build_ssp`` when that module exists, else with the stand-in in
scc.writers._ssp_fallback.

Organisations override blocks of templates/ssp.html.j2 by template inheritance: a directory given as
``Settings.templates`` (``scc package --templates DIR``) whose ``ssp.html.j2`` starts with
``{% extends "scc/ssp.html.j2" %}`` (docs/ssp.md has an example).

Safety: templates render in Jinja's immutable sandbox with autoescaping (input values are data, never
markup or template code); the loader reads only the shipped templates and the given directory; and
WeasyPrint gets a URL fetcher serving only regular files inside those two directories (no file:// outside
them, no http(s)://, no data:), so a hostile name can neither inject markup nor make the renderer fetch.

Determinism: the PDF's dates are the SSP's last-modified time and its /ID a digest of the documents
rendered, so identical inputs give byte-identical files. WeasyPrint and Jinja are imported only here.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from scc.errors import SccError
from scc.resources import pack_dir
from scc.writers._ssp_view import ControlText, ssp_view
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.assessment import Assessment

TEMPLATE = "ssp.html.j2"
BASE_PREFIX = "scc"          # {% extends "scc/ssp.html.j2" %} always names the shipped template
_MEDIA_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2",
                ".ttf": "font/ttf", ".otf": "font/otf"}


class TemplateProblem(SccError):
    """An organisation's SSP template directory that cannot be used (names the directory and the problem)."""


def _environment(templates_dir: Path | None):
    from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    shipped = FileSystemLoader(str(pack_dir("templates")))
    loaders = [FileSystemLoader(str(templates_dir))] if templates_dir else []
    return ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([*loaders, PrefixLoader({BASE_PREFIX: shipped}), shipped]),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def render_ssp_html(ssp: dict[str, Any], poam: dict[str, Any] | None, notes: list[str], marking: str, *,
                    control_text: ControlText | None = None, templates_dir: Path | None = None) -> str:
    """The SSP as HTML (the input WeasyPrint lays out)."""
    from jinja2 import TemplateError

    if templates_dir is not None and not Path(templates_dir).is_dir():
        raise TemplateProblem(f"{templates_dir}: not a directory of SSP templates")
    view = ssp_view(ssp, poam, notes, marking, control_text)
    view["local_assets"] = Path(templates_dir).resolve().as_uri() + "/" if templates_dir else ""
    try:
        return _environment(templates_dir).get_template(TEMPLATE).render(view)
    except TemplateError as exc:
        where = f"{templates_dir}: " if templates_dir else ""
        lineno = getattr(exc, "lineno", None)
        line = f" (line {lineno})" if lineno else ""
        raise TemplateProblem(f"{where}SSP template error{line}: {exc.message or exc}") from exc
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
        if templates_dir is None:
            raise                  # the shipped template failing is scc's bug (exit 3), not the user's
        raise TemplateProblem(f"{templates_dir}: SSP template failed: {type(exc).__name__}: {exc}") from exc


def render_ssp_pdf(ssp: dict[str, Any], poam: dict[str, Any] | None, notes: list[str], marking: str, *,
                   control_text: ControlText | None = None, templates_dir: Path | None = None,
                   fetcher=None) -> bytes:
    """The SSP PDF; ``fetcher`` (default: shipped templates and ``templates_dir`` only) is exposed for tests."""
    from weasyprint import HTML

    shipped = pack_dir("templates").resolve()
    roots = [shipped, *([Path(templates_dir).resolve()] if templates_dir else [])]
    fetcher = fetcher or asset_fetcher(*roots)
    page = render_ssp_html(ssp, poam, notes, marking, control_text=control_text, templates_dir=templates_dir)
    html = HTML(string=page, base_url=shipped.as_uri() + "/", url_fetcher=fetcher)
    seed = json.dumps([ssp, poam, notes, marking], sort_keys=True, default=str).encode()
    identifier = hashlib.sha256(b"scc-ssp/" + seed).hexdigest()[:32].encode()
    return html.write_pdf(pdf_identifier=identifier, uncompressed_pdf=False)


def asset_fetcher(*roots: Path):
    """A WeasyPrint URL fetcher serving only regular files under ``roots``; it records every request."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
            self.roots = [Path(r).resolve() for r in roots]
            self.requested: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers=None):
            self.requested.append(url)
            path = self._local_path(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"scc's SSP renderer refuses to fetch {url[:200]!r}")
            return URLFetcherResponse(url, path.read_bytes(),
                                      {"Content-Type": _MEDIA_TYPES.get(path.suffix, "application/octet-stream")})

        def _local_path(self, url: str) -> Path | None:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                return None
            path = Path(url2pathname(parts.path)).resolve()
            if not any(root in path.parents for root in self.roots) or not path.is_file():
                return None
            return path

    return AssetFetcher()


# -- the writer: an assessment -> its OSCAL SSP and POA&M -> the PDF ---------------------------------


def ssp_document(assessment: Assessment) -> dict[str, Any]:
    """The OSCAL SSP the PDF renders: build_ssp's when scc.writers.oscal_ssp exists, else the stand-in."""
    try:
        from scc.writers.oscal_ssp import build_ssp
    except ModuleNotFoundError as exc:
        if exc.name != "scc.writers.oscal_ssp":
            raise              # the module exists and is broken: that is a bug to see, not to paper over
        from scc.writers._ssp_fallback import fallback_ssp as build_ssp
    return build_ssp(assessment)


def poam_document(assessment: Assessment) -> dict[str, Any]:
    from scc.writers.oscal_poam import WRITER as POAM

    return json.loads(POAM.render(assessment))


def catalog_text(assessment: Assessment) -> ControlText:
    """control id -> (label, title, statement text) from the catalog the SSP's baseline resolves to."""
    from scc.writers._content import official_control

    def lookup(control_id: str) -> tuple[str, str, str] | None:
        control = official_control(assessment, control_id)
        if control is None:
            return None
        return (control.label or control_id.upper(), control.title, control.statement_text)

    return lookup


def input_reading_notes(assessment: Assessment) -> list[str]:
    """The facts' notes, without "passed over" for the files scc did use, as settings (overrides, keys,
    attestations, profile, the SSP templates) rather than as evidence."""
    settings = assessment.settings
    used = [Path(p).resolve() for p in (settings.overrides, settings.attestations, settings.profile, *settings.keys) if p]
    given = getattr(settings, "templates", None)
    templates = Path(given).resolve() if given else None

    def used_as_setting(note: str) -> bool:
        path, passed_over, _ = note.partition(": passed over")
        if not passed_over:
            return False
        where = Path(path).resolve()
        return where in used or (templates is not None and templates in where.parents)

    return [note for note in assessment.facts.notes if not used_as_setting(note)]


def pdf_inputs(assessment: Assessment) -> dict[str, Any]:
    """The arguments of render_ssp_pdf for one assessment (the lead's wiring point)."""
    from scc.writers.poam_xlsx import marking_text

    return {"ssp": ssp_document(assessment), "poam": poam_document(assessment),
            "notes": input_reading_notes(assessment), "marking": marking_text(assessment),
            "control_text": catalog_text(assessment),
            "templates_dir": getattr(assessment.settings, "templates", None)}


def render_html(assessment: Assessment) -> str:
    """The SSP HTML of one assessment."""
    return render_ssp_html(**pdf_inputs(assessment))


def render_pdf(assessment: Assessment, fetcher=None) -> bytes:
    """The SSP PDF of one assessment; ``fetcher`` lets tests inspect what WeasyPrint asked for."""
    return render_ssp_pdf(**pdf_inputs(assessment), fetcher=fetcher)


class SspPdfWriter(Writer):
    name = "ssp-pdf"
    filename = "ssp.pdf"
    media_type = "application/pdf"
    order = 60

    def render(self, assessment: Assessment) -> bytes:
        return render_pdf(assessment)


WRITER = SspPdfWriter()
