"""Static export of plotly figures to PNG, SVG and PDF through one headless Chromium.

Modules, one job each:

* ``browser`` - the process's one export Chromium (kaleido): find, start, render
  through with a hard timeout, kill, stop at exit;
* ``render`` - a figure to checked PNG/SVG/PDF bytes, or to a file;
* ``files`` - atomic writes (temp file, fsync, rename) and stale temp-file cleanup;
* ``errors`` - :class:`ExportError`, the one exception a caller has to handle.

Callers use this package's names: ``from dashboard import export; export.render(...)``.
Importing it changes no process-wide state; see ``browser`` for what the first render does.
"""

from dashboard.export.browser import find_browser, stop, warm
from dashboard.export.errors import ExportError
from dashboard.export.files import write_atomic
from dashboard.export.render import FORMATS, export, fit_layout, render

__all__ = ["ExportError", "FORMATS", "export", "find_browser", "fit_layout", "render", "stop", "warm", "write_atomic"]
