"""Test-only launcher: Streamlit's own command line with markup let past the validator.

The security tests fill every text cell of a data copy with markup to prove that every
renderer escapes it; production code has no switch for that. This process relaxes
dashboard.data.cells.check_plain (tests/datafix.py) and then runs `streamlit` in-process,
so dashboard/app.py runs as in production (its pages resolved next to it) but validates
with the relaxed rule. From the repository root:

    .venv/bin/python -m tests.e2e.allow_markup_app run dashboard/serve.py --server.port 8599
"""

import sys

from streamlit.web import cli

from tests.datafix import markup_allowed

if __name__ == "__main__":
    with markup_allowed():
        sys.exit(cli.main())
