"""Known-vulnerability audit of the locked set (.ci/constraints.txt): `make audit`.

Not part of `make test`: it needs pypi.org, and what it can check depends on upstream
releases, not on this code. Only its pure parts are unit-tested (tests/test_audit.py).

1. pip-audit on exactly the pins (--no-deps --disable-pip) with --strict. If it finishes
   (no vulnerability, or some found) its answer stands and covers every pin.
2. If it cannot finish - --strict makes any package it fails to look up end the run (here:
   PyPI's per-version JSON answers 404, OSV is blocked) - the audit falls back to PyPI's
   project JSON, whose `vulnerabilities` describe the *latest* release only. A pin equal to
   the latest release is checked; an older pin is reported as "not covered" rather than
   guessed about; a project that cannot be fetched is reported as unreachable.

The summary always carries the coverage numbers (checked / not covered / unreachable), so
"no known vulnerabilities" never stands alone. Coverage is reported, not judged: pins
falling behind their latest release lower it but do not fail the audit.

Exit codes: 0 no known vulnerability among the checked pins, 1 at least one, 3 the registry
could not be reached for any pin.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

REPO = Path(__file__).resolve().parent.parent
CONSTRAINTS = REPO / ".ci" / "constraints.txt"
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"  # the venv's, not resolved past symlinks
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")
FOUND = re.compile(r"^Found \d+ known vulnerabilit", re.MULTILINE)


def normalise(name: str) -> str:
    """PEP 503 name, so `PyYAML`, `pyyaml` and `boolean.py`/`boolean-py` each match once."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_pins(text: str) -> dict[str, str]:
    """`name==version` lines (extras and markers allowed) -> {normalised name: version}."""
    pins = {}
    for line in text.splitlines():
        match = PIN.match(line.split("#", 1)[0].strip())
        if match:
            pins[normalise(match[1])] = match[2]
    return pins


def same_version(a: str, b: str) -> bool:
    """PEP 440 equality (1.0 == 1.0.0); plain string equality if either is not PEP 440."""
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def vulns_for(pin_version: str, project: dict) -> list[dict] | None:
    """Advisories affecting `pin_version`, or None when the project JSON cannot say (not latest)."""
    if not same_version(pin_version, project["info"]["version"]):
        return None
    return [
        {"id": v.get("id"), "aliases": v.get("aliases") or [], "fixed_in": v.get("fixed_in") or []}
        for v in project.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]


def fetch_project(name: str, timeout: float = 20) -> dict:
    """The only network call of the fallback; urllib honours the environment's proxies and CAs."""
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=timeout) as r:
        return json.load(r)


@dataclass
class Result:
    """Outcome per pin: checked (with its advisories), not covered, or unreachable."""

    checked: dict[str, list[dict]] = field(default_factory=dict)
    not_covered: dict[str, tuple[str, str]] = field(default_factory=dict)  # locked, latest
    unreachable: dict[str, str] = field(default_factory=dict)  # name -> error


def fallback_audit(pins: dict[str, str], fetch=fetch_project, workers: int = 16) -> Result:
    """Classify every pin using the project JSON (`fetch` is swappable for fixtures)."""

    def one(name):
        try:
            return name, fetch(name), None
        except (OSError, ValueError) as e:  # URLError/HTTPError/timeouts are OSErrors
            return name, None, f"{type(e).__name__}: {e}"

    result = Result()
    with ThreadPoolExecutor(workers) as pool:
        for name, project, error in pool.map(one, sorted(pins)):
            if error:
                result.unreachable[name] = error
                continue
            vulns = vulns_for(pins[name], project)
            if vulns is None:
                result.not_covered[name] = (pins[name], project["info"]["version"])
            else:
                result.checked[name] = vulns
    return result


def summarise(pins: dict[str, str], result: Result, method: str) -> tuple[str, int]:
    """Human summary plus exit code; coverage numbers are always part of it."""
    found = [(n, pins[n], v) for n, vs in sorted(result.checked.items()) for v in vs]
    lines = [f"method: {method}", f"checked: {len(result.checked)} of {len(pins)} pins"]
    lines += [
        f"  VULNERABLE {n}=={ver}  {v['id']}  aliases={','.join(v['aliases']) or '-'}"
        f"  fixed_in={','.join(v['fixed_in']) or '-'}"
        for n, ver, v in found
    ]
    lines.append(f"vulnerabilities found: {len(found)}")
    lines.append(f"not covered (pin is not the latest release): {len(result.not_covered)}")
    lines += [f"  {n} {a} (latest {b})" for n, (a, b) in sorted(result.not_covered.items())]
    lines.append(f"unreachable: {len(result.unreachable)}")
    lines += [f"  {n}: {e}" for n, e in sorted(result.unreachable.items())]
    if found:
        return "\n".join(lines), 1
    if pins and len(result.unreachable) == len(pins):
        lines.append("could not check anything: registry unreachable")
        return "\n".join(lines), 3
    lines.append(f"no known vulnerabilities in the {len(result.checked)} checked pins")
    return "\n".join(lines), 0


def run_pip_audit(timeout: float = 120) -> tuple[str, str]:
    """('ok' | 'vulns' | 'failed', output); 'failed' means it could not look packages up."""
    cmd = [str(PIP_AUDIT), "--strict", "--progress-spinner", "off", "--no-deps", "--disable-pip",
           "-r", str(CONSTRAINTS)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "failed", f"{type(e).__name__}: {e}"
    output = (p.stdout + p.stderr).strip()
    if p.returncode == 0:
        return "ok", output
    return ("vulns" if p.returncode == 1 and FOUND.search(p.stderr) else "failed"), output


def main() -> int:
    pins = parse_pins(CONSTRAINTS.read_text())
    status, output = run_pip_audit()
    if status != "failed":
        print(output)
        print(f"method: pip-audit --strict\nchecked: {len(pins)} of {len(pins)} pins")
        return 0 if status == "ok" else 1
    reason = output.splitlines()[-1] if output else "no output"
    print(f"pip-audit could not look packages up ({reason}); falling back to PyPI project JSON")
    text, code = summarise(pins, fallback_audit(pins), "PyPI project JSON (latest release only)")
    print(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
