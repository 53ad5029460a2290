"""README.md keeps its promises: its command lines run, its numbers are counted.

Every line starting with `dashboard ` in a shell code block of README.md is split as a
shell would split it (shlex) and run through dashboard.cli.main, in a fresh folder that
holds a copy of data/ (so `--data data/` and relative output paths work). It must exit 0
and print something. The only shell the README may use is a final `> FILE` (stdout to a
file). Nothing else is translated: a placeholder (`[--band]`, `map|chain`, `DIR`, `...`),
a pipe or a variable reaches the CLI as written and fails that case, so a line the test
cannot run fails the suite instead of being skipped. `dashboard export` lines need
Chromium (kaleido) and carry the `export` marker.
"""

from __future__ import annotations

import re
import shlex

import pytest

from dashboard.cli import main
from tests.conftest import REPO
from tests.test_validate import BROKEN_COPIES

README = (REPO / "README.md").read_text(encoding="utf-8")
SHELL_BLOCK = re.compile(r"^```(?:sh|shell|bash|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)
def commands() -> set[str]:
    """Every command of the real parser (so a new command must appear in the README)."""
    import argparse

    from dashboard.cli import _parser

    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def command_lines() -> list[str]:
    lines = (line.strip() for block in SHELL_BLOCK.findall(README) for line in block.splitlines())
    return [line for line in lines if line.startswith("dashboard ")]


def split(line: str) -> tuple[list[str], str | None]:
    """(argv after `dashboard`, the file of a final `> FILE`, or None)."""
    words = shlex.split(line)
    if len(words) > 2 and words[-2] == ">":
        return words[1:-2], words[-1]
    return words[1:], None


def _case(line: str):
    marks = [pytest.mark.export] if line.split()[1] == "export" else []
    return pytest.param(line, marks=marks, id=line[len("dashboard "):][:70])


def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse: a bad option or a missing value
        return exc.code


@pytest.mark.parametrize("line", [_case(line) for line in command_lines()])
def test_readme_command_runs_as_written(line, data_copy, monkeypatch, capsys):
    monkeypatch.chdir(data_copy.parent)
    monkeypatch.delenv("DASHBOARD_DATA_DIR", raising=False)
    argv, target = split(line)
    code = run(argv)
    out, err = capsys.readouterr()
    assert code == 0, f"{line}\nexit {code}: {err[-500:]}"
    assert out.strip(), f"{line}: no output"
    if target:
        (data_copy.parent / target).write_text(out, encoding="utf-8")


def test_readme_shows_every_command():
    assert {line.split()[1] for line in command_lines()} == commands()


def test_a_placeholder_line_would_fail(data_copy, monkeypatch, capsys):
    """The check above has teeth: the old synopsis style does not run."""
    monkeypatch.chdir(data_copy.parent)
    for line in ("dashboard validate [--data DIR]", "dashboard rings --system all|ID[,ID] > rings.geojson"):
        assert run(split(line)[0]) == 2
    capsys.readouterr()


def test_readme_states_the_number_of_broken_copies():
    assert re.findall(r"(\d+) broken copies", README) == [str(BROKEN_COPIES)]
