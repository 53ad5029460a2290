"""The dependency audit's pure parts (tests/audit.py) on hand-written project JSON.

The audit itself asks pypi.org and runs as `make audit`, not in `make test`."""

from __future__ import annotations

import urllib.error

from tests import audit


def project(latest: str, *vulns: dict) -> dict:
    """The two fields of PyPI's project JSON that the audit reads."""
    return {"info": {"version": latest}, "vulnerabilities": list(vulns)}


VULN = {"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2099-0001"], "fixed_in": ["1.0.1"],
        "summary": "bad", "withdrawn": None}
WITHDRAWN = {**VULN, "id": "PYSEC-2099-2", "withdrawn": "2099-01-01T00:00:00Z"}


def test_parse_pins_comments_extras_and_normalisation():
    text = """
    # a comment line
    Foo_Bar==1.2.3   # trailing comment
    zope.interface==7.0
    requests[socks]==2.34.2 ; python_version >= "3.11"
    -c other.txt
    unpinned>=1.0
    PyYAML == 6.0.2
    """
    assert audit.parse_pins(text) == {
        "foo-bar": "1.2.3", "zope-interface": "7.0", "requests": "2.34.2", "pyyaml": "6.0.2",
    }


def test_pin_at_latest_reports_its_vulnerability():
    found = audit.vulns_for("1.0", project("1.0", VULN))
    assert found == [{"id": VULN["id"], "aliases": ["CVE-2099-0001"], "fixed_in": ["1.0.1"]}]


def test_withdrawn_vulnerabilities_are_ignored():
    assert audit.vulns_for("1.0", project("1.0", WITHDRAWN)) == []
    assert [v["id"] for v in audit.vulns_for("1.0", project("1.0", WITHDRAWN, VULN))] == [VULN["id"]]


def test_pin_not_at_latest_is_not_covered():
    assert audit.vulns_for("0.9", project("1.0")) is None
    assert audit.vulns_for("0.9", project("1.0", VULN)) is None  # no guessing either way
    assert audit.vulns_for("1.0.0", project("1.0")) == []  # PEP 440 equal


def test_fallback_and_summary_classify_every_pin():
    pins = {"a": "1.0", "b": "0.9", "c": "2.0", "d": "3.0"}
    fixtures = {"a": project("1.0", VULN), "b": project("1.0"), "c": project("2.0")}

    def fetch(name):
        if name not in fixtures:
            raise urllib.error.URLError("unreachable")
        return fixtures[name]

    result = audit.fallback_audit(pins, fetch=fetch)
    assert set(result.checked) == {"a", "c"}
    assert result.not_covered == {"b": ("0.9", "1.0")}
    assert set(result.unreachable) == {"d"}
    text, code = audit.summarise(pins, result, "fixture")
    assert code == 1
    assert "checked: 2 of 4 pins" in text and "VULNERABLE a==1.0  GHSA-aaaa-bbbb-cccc" in text


def test_summary_exit_codes_and_coverage_always_printed():
    pins = {"a": "1.0", "b": "1.0"}
    clean = audit.Result(checked={"a": []}, unreachable={"b": "URLError"})
    text, code = audit.summarise(pins, clean, "fixture")
    assert code == 0 and "checked: 1 of 2 pins" in text and "unreachable: 1" in text
    nothing = audit.Result(unreachable={"a": "URLError", "b": "URLError"})
    assert audit.summarise(pins, nothing, "fixture")[1] == 3


def test_pins_behind_latest_lower_coverage_but_do_not_fail():
    """Upstream releasing newer versions is reported, not turned into a failure."""
    pins = {"a": "1.0", "b": "1.0"}
    behind = audit.Result(not_covered={"a": ("1.0", "2.0"), "b": ("1.0", "1.1")})
    text, code = audit.summarise(pins, behind, "fixture")
    assert code == 0
    assert "checked: 0 of 2 pins" in text and "not covered (pin is not the latest release): 2" in text
    assert "unreachable" not in text.splitlines()[-1]

