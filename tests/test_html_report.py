"""report.html: self-contained, inert and faithful to the Report, checked as markup and in a real browser
(Debian's chromium driven by playwright): loaded from file://, filtered, sorted, a row opened, with no
network request and no console error, and screenshots written for a person to look at."""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO
from lxml import html as lxml_html

import scc
from scc.facts.model import Component, Finding, Severity

EXAMPLE = REPO / "examples" / "demo-image"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def example() -> scc.Assessment:
    return scc.assess([EXAMPLE], overrides=EXAMPLE / "overrides.yaml")


@pytest.fixture(scope="module")
def hostile(example: scc.Assessment) -> scc.Assessment:
    """The example with a component, a finding and the image name carrying markup and script."""
    facts = example.report.facts
    component = Component(name=HOSTILE, version="1.0", purl=f"pkg:npm/{HOSTILE}@1.0")
    finding = Finding(id="CVE-2099-0001", package=HOSTILE, installed_version="1.0", purl=component.purl,
                      severity=Severity.HIGH, description=HOSTILE, sources={HOSTILE})
    bad = replace(facts, identity=replace(facts.identity, name=HOSTILE),
                  components=[*facts.components, component], findings=[*facts.findings, finding])
    copy = scc.Assessment.__new__(scc.Assessment)
    copy.settings = example.settings
    copy.report = replace(example.report, facts=bad)
    return copy


def _page(assessment: scc.Assessment):
    return lxml_html.fromstring(assessment.render("html-report"))


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_one_inline_script_and_style_allowed_by_hash_and_nothing_else(example: scc.Assessment) -> None:
    page = _page(example)
    csp = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    scripts, styles = page.xpath("//script"), page.xpath("//style")
    assert len(scripts) == 1 and len(styles) == 1 and not scripts[0].get("src")
    assert f"script-src {_sha(scripts[0].text)};" in csp and f"style-src {_sha(styles[0].text)};" in csp
    assert "default-src 'none'" in csp and "connect-src" not in csp      # default-src 'none' covers fetches
    assert scripts[0].text == (REPO / "templates" / "report.js").read_text(encoding="utf-8")
    remote = [el.get(a) for el in page.iter() for a in ("src", "href") if (el.get(a) or "").startswith(("http", "//"))]
    assert remote == [] and not page.xpath("//link|//iframe|//object|//embed|//img")


def test_tables_hold_one_record_per_row_of_the_report(example: scc.Assessment) -> None:
    page = _page(example)
    report = example.report
    count = {t: len(page.xpath(f"//table[@id='t-{t}']/tbody[@class='rec']")) for t in
             ("controls", "rules", "findings", "components", "inputs")}
    assert count == {"controls": len(report.control_results), "rules": len(report.rule_results),
                     "findings": len(report.facts.findings), "components": len(report.facts.components),
                     "inputs": len(report.facts.inputs)}
    cards = {c.get("data-verdict"): int(c.xpath("string(span)")) for c in page.xpath("//div[@class='card']")}
    assert cards == {k: v for k, v in report.verdict_counts().items()}


def test_every_citation_links_to_its_input_with_the_hash(example: scc.Assessment) -> None:
    page = _page(example)
    inputs = {tb.get("id"): tb.xpath("string(tr/td[1])") for tb in page.xpath("//table[@id='t-inputs']/tbody")}
    links = page.xpath("//div[@class='cite']/a")
    assert links
    for link in links:
        anchor = link.get("href").lstrip("#")
        assert inputs[anchor] == link.text
    hashes = {i.path: i.sha256 for i in example.report.facts.inputs}
    for cite in page.xpath("//div[@class='cite']"):
        source = cite.xpath("string(a)")
        assert hashes[source].startswith(cite.xpath("string(span[@class='hash'])"))


def test_hostile_text_stays_text(hostile: scc.Assessment) -> None:
    page = _page(hostile)
    assert len(page.xpath("//script")) == 1 and not page.xpath("//img")
    assert not [el for el in page.iter() if any(a.startswith("on") for a in el.attrib)]
    assert HOSTILE in page.text_content()        # shown, as text


def test_report_is_reproducible_and_in_the_package(example: scc.Assessment, tmp_path: Path) -> None:
    assert example.render("html-report") == example.render("html-report")
    out = example.write_package(tmp_path / "ato")
    assert (out / "report.html").read_bytes() == example.render("html-report")


# -- in a real browser -------------------------------------------------------------------------------
def _chromium() -> str:
    pytest.importorskip("playwright", reason="playwright comes with the test extras")
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    return found


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    events: dict[str, list[str]] = {"requests": [], "console": [], "dialogs": []}
    page.on("request", lambda request: events["requests"].append(request.url))
    page.on("console", lambda message: events["console"].append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: events["console"].append(f"pageerror: {error}"))
    page.on("dialog", lambda dialog: (events["dialogs"].append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    return page, events


def _shots_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("SCC_SCREENSHOTS", tmp_path))
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.mark.slow
def test_in_chromium_filter_sort_open_with_no_network_and_no_errors(browser, example: scc.Assessment,
                                                                      tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_bytes(example.render("html-report"))
    shots = _shots_dir(tmp_path)
    page, events = _open(browser, path)
    assert page.is_visible("#overview") and not page.is_visible("#findings")
    page.screenshot(path=str(shots / "overview.png"), full_page=True)

    page.click("a.tab[data-section=findings]")
    assert page.is_visible("#findings") and not page.is_visible("#overview")
    total = len(example.report.facts.findings)
    assert page.text_content("#findings .count") == f"{total} of {total} rows"
    target = example.report.open_findings[0]
    page.fill("#findings .search", target.package)
    expected = sum(1 for f in example.report.facts.findings if target.package.lower() in
                   " ".join([f.id, f.package, f.installed_version, ", ".join(f.fixed_versions), f.state.value,
                             ", ".join(sorted(f.sources)), f.purl]).lower())
    assert page.text_content("#findings .count") == f"{expected} of {total} rows"
    page.fill("#findings .search", "")
    page.select_option("#findings select[data-attr=open]", "open")
    assert page.text_content("#findings .count") == f"{len(example.report.open_findings)} of {total} rows"
    page.select_option("#findings select[data-attr=open]", "")

    page.click("#t-findings button.sort[data-col='4']")        # severity, most severe first
    shown = page.eval_on_selector_all("#t-findings tbody.rec tr.summary td:nth-child(5)", "els => els.map(e => e.textContent.trim())")
    order = ["critical", "high", "medium", "low", "negligible", "unknown"]
    assert shown == sorted(shown, key=order.index)
    page.click("#t-findings button.sort[data-col='4']")        # and back, least severe first
    shown = page.eval_on_selector_all("#t-findings tbody.rec tr.summary td:nth-child(5)", "els => els.map(e => e.textContent.trim())")
    assert shown == sorted(shown, key=order.index, reverse=True)

    first = page.locator("#t-findings tbody.rec").first
    assert first.locator("tr.detail").is_hidden()
    first.locator("tr.summary").click()
    assert first.locator("tr.detail").is_visible() and first.locator("tr.summary").get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(shots / "findings-open-row.png"), full_page=True)

    first.locator("div.cite a").first.click()                  # a citation leads to its input and hash
    page.wait_for_selector("#inputs", state="visible", timeout=5000)   # the route runs on hashchange, async
    assert page.is_visible("#inputs")
    page.click("a.tab[data-section=rules]")
    page.select_option("#rules select[data-attr=status]", "manual")
    manual = sum(1 for r in example.report.rule_results if r.verdict.value == "manual")
    assert page.text_content("#rules .count") == f"{manual} of {len(example.report.rule_results)} rows"
    page.screenshot(path=str(shots / "rules-manual.png"))

    assert events["requests"] == [path.as_uri()]
    assert events["console"] == [] and events["dialogs"] == []


@pytest.mark.slow
def test_in_chromium_hostile_text_runs_nothing(browser, hostile: scc.Assessment, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_bytes(hostile.render("html-report"))
    page, events = _open(browser, path)
    page.click("a.tab[data-section=components]")
    page.fill("#components .search", "onerror")
    assert page.text_content("#components .count").startswith("1 of ")
    page.locator("#t-components tbody.rec:not([hidden]) tr.summary").click()
    page.screenshot(path=str(_shots_dir(tmp_path) / "hostile-components.png"))
    assert events["dialogs"] == [] and events["console"] == [] and events["requests"] == [path.as_uri()]
