"""Fix availability follows each ecosystem's version rules, not string order."""
from __future__ import annotations

import pytest

from scc.facts.model import Finding
from scc.facts.versions import compare, newer_fix_exists


@pytest.mark.parametrize("purl_type, older, newer", [
    ("apk", "1.36.1-r9", "1.36.1-r15"),          # string order says r9 > r15
    ("deb", "2.36-9", "1:2.30-1"),               # an epoch outranks everything
    ("deb", "1.0~rc1", "1.0"),                   # tilde sorts before the release
    ("rpm", "3.0.7-9.el9", "3.0.7-27.el9"),
    ("pypi", "2.2.10", "2.3.0rc1") ,
    ("pypi", "1.0rc1", "1.0"),
    ("npm", "1.2.9", "1.10.0"),
    ("maven", "2.9.10", "2.13.4.2"),
    ("golang", "v0.9.0", "v0.10.0"),
])
def test_ecosystem_order_not_string_order(purl_type, older, newer):
    assert compare(purl_type, older, newer) == -1
    assert compare(purl_type, newer, older) == 1


def test_unknown_ecosystem_or_garbage_cannot_be_compared():
    assert compare("generic", "1", "2") is None
    assert compare("deb", "", "1.0") is None


def test_a_fix_older_than_the_installed_version_is_no_fix():
    finding = Finding("CVE-2024-0001", package="busybox", installed_version="1.36.1-r15",
                      purl="pkg:apk/alpine/busybox@1.36.1-r15", fixed_versions=["1.36.1-r9"])
    assert finding.fix_available is False
    finding.fixed_versions.append("1.36.1-r16")
    assert finding.fix_available is True


def test_incomparable_versions_trust_the_scanner():
    finding = Finding("CVE-2024-0002", package="x", installed_version="1", purl="pkg:generic/x@1",
                      fixed_versions=["2"])
    assert finding.fix_available is True
    assert newer_fix_exists("", "1", []) is None
