"""One application object: the validated package, the base map, cities and graph, built
once per data version and shared by the CLI, the exports and the Streamlit cache layer.

    dash = Dashboard.load("data")            # DataError (FILE:LINE:COLUMN) if invalid
    view = dash.parse("systems=SEJJIL&from=territory")
    dash.map(view).deck                       # what the map page draws
    dash.figure(view, "map")                  # the report figure an export renders

Every method takes a :class:`~dashboard.views.view.View`; nothing here reads a URL twice
or calls back into the UI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from dashboard.data.load import Package, check_package
from dashboard.errors import DataError
from dashboard.geo.basemap import country_outline, load_cities, load_countries
from dashboard.geo.ranges import TERRITORY
from dashboard.geo.reach import country_points, launch_country, reach_table, ring_facts
from dashboard.geo.rings import ring_features
from dashboard.views.tables import data_as_of
from dashboard.views.view import View, default_view, parse_view, to_query

if TYPE_CHECKING:
    import networkx as nx

CACHED_VIEWS = 64  # views whose rings and map are kept per data version


@dataclass(eq=False)
class Dashboard:
    package: Package
    countries: dict
    cities: pd.DataFrame
    basemap_url: str = ""  # where a browser can fetch ``countries`` from; "" sends them inline

    @classmethod
    def check(cls, data_dir: str | os.PathLike, basemap_url: str = "") -> tuple[Dashboard | None, list]:
        """``(dashboard, [])`` for a valid data folder, else ``(None, problems)``."""
        package, problems = check_package(data_dir)
        if problems:
            return None, problems
        folder = Path(data_dir) / "basemap"
        return cls(package, load_countries(folder), load_cities(folder), basemap_url), []

    @classmethod
    def load(cls, data_dir: str | os.PathLike) -> Dashboard:
        dash, problems = cls.check(data_dir)
        if problems:
            raise DataError(problems)
        return dash

    @property
    def version(self) -> str:
        return self.package.version

    @property
    def basemap(self) -> dict | str:
        """The countries for the on-screen map: a URL naming the data version (so a browser's
        cached copy is never stale), else the GeoJSON itself."""
        return f"{self.basemap_url}?v={self.version}" if self.basemap_url else self.countries

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The supply-chain graph (shared: treat as read-only). networkx is imported here,
        by the pages that draw the graph: the map page's server never loads it (11 MB)."""
        from dashboard.network import build_graph
        return build_graph(self.package)

    # ------------------------------------------------------------------ views

    def parse(self, query: dict[str, str] | str) -> View:
        return parse_view(query, self.package)

    def query(self, view: View) -> str:
        return to_query(view, self.package)

    def default_view(self) -> View:
        return default_view(self.package)

    # ------------------------------------------------------------------ what a view shows

    def outline(self, view: View) -> dict | None:
        """Iran's border when ranges are measured from anywhere in its territory."""
        return country_outline(self.countries) if view.origin.kind == TERRITORY else None

    def launch_country(self, view: View) -> str:
        """ISO alpha-3 of the country the view's ranges are measured from ('' at sea)."""
        return self._launch_country(view.origin.key, view.origin)

    @lru_cache(maxsize=CACHED_VIEWS)
    def _launch_country(self, key, origin) -> str:
        return launch_country(origin, self.countries)

    def reach(self, view: View) -> pd.DataFrame:
        """Capitals and major cities within each ring, outside the launch country."""
        return reach_table(self.rings(view), self.cities, view.origin, self.outline(view), self.launch_country(view))

    def facts(self, view: View) -> list[dict]:
        """Per ring: capitals and countries (wholly or partly) within it, from the base map."""
        return ring_facts(self.rings(view), self.borders, self.cities, self.launch_country(view))

    @cached_property
    def data_as_of(self) -> str:
        """How fresh the data is, in words (see views.tables.data_as_of)."""
        return data_as_of(self.package)

    @cached_property
    def borders(self):
        """Country borders densified once per data version (see geo.reach.country_points)."""
        return country_points(self.countries)

    def rings(self, view: View) -> list[dict]:
        """The ring (and band) features of ``view``: the one geometry every renderer draws."""
        return self._rings((view.systems, view.claims, view.origin.key, view.band), view)

    @lru_cache(maxsize=CACHED_VIEWS)
    def _rings(self, key, view: View) -> list[dict]:
        return ring_features(self.package, self.countries, view.systems, view.claims, view.origin, band=view.band)

    def map(self, view: View, size: tuple[int, int] | None = None, font_px: int = 13):
        """Everything the map page shows for ``view`` on a ``size`` (width, height px) map
        (deck JSON serialised once)."""
        from dashboard.views.mapview import DEFAULT_SIZE
        return self._map(view.key, tuple(size or DEFAULT_SIZE), font_px, view)

    @lru_cache(maxsize=CACHED_VIEWS)
    def _map(self, key, size, font_px, view: View):
        from dashboard.views import mapview
        return mapview.build(self, view, size, font_px)

    def figure(self, view: View, figure: str, date: str | None = None):
        """The captioned report figure ``figure`` (map, ranges, chain, network) of ``view``."""
        from dashboard.views.report import report_figure
        return report_figure(self, view, figure, date=date)
