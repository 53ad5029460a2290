"""The Streamlit app through AppTest: every page runs, the URL round-trips, bad input falls back.

AppTest runs the real scripts without a browser (see tests/e2e for the browser).
"""

from __future__ import annotations

import json
import random
import string

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data.load import load_package
from dashboard.network import build_graph, chains_for_systems, network_subgraph
from dashboard.views.view import FILTERS, filter_choices, parse_view, to_query
from tests.conftest import DATA
from tests.datafix import set_cell

APP = str(DATA.parent / "dashboard" / "app.py")


def app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(scope="module")
def map_app():
    return app()


def test_map_page_draws_rings_without_tiles(map_app):
    assert not map_app.exception
    spec = json.loads(map_app.get("deck_gl_json_chart")[0].proto.json)
    assert "mapStyle" not in spec or spec["mapStyle"] in ("__MAP_STYLE__", None, "")
    types = [layer["@@type"] for layer in spec["layers"]]
    assert types.count("PathLayer") == 1 and "GeoJsonLayer" in types
    assert spec["layers"][types.index("PathLayer")]["widthUnits"] == "pixels"
    captions = " ".join(c.value for c in map_app.caption)
    assert "range measured from Tehran" in captions


def test_changing_the_launch_point_updates_the_url(map_app):
    map_app.selectbox(key="map_from").set_value("territory").run()
    assert not map_app.exception
    assert map_app.query_params["from"] == ["territory"] or map_app.query_params["from"] == "territory"
    table = map_app.dataframe[0].value
    assert (table["Measured from"].str.contains("anywhere in Iran")).all()


def test_a_deep_link_reopens_the_same_view():
    at = app(systems="SEJJIL,GHADR1", claim="max", overlay="reach")
    assert not at.exception and not at.info
    assert at.multiselect(key="map_systems").value == ["SEJJIL", "GHADR1"]
    assert at.selectbox(key="map_claim").value == "max"
    assert at.toggle(key="map_band").value is False


def export_buttons(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button") if b.proto.label.split()[-1] in ("PNG", "SVG", "PDF")]


def test_share_panel_is_sent_only_when_opened_and_links_to_this_view():
    at = app(systems="SEJJIL", **{"from": "semnan"})
    assert not at.code and not export_buttons(at)  # closed: nothing of the panel is sent to the browser
    at.session_state["share_map"] = True  # what a click on the expander does
    at.run()
    link, snippet = (c.value for c in at.code)
    assert link.startswith("/?") and parse_view(link[2:], load_package(DATA)).systems == ("SEJJIL",)
    assert "from=semnan" in link and f'src="/?embed=true&{link[2:]}&frame=1200x800"' in snippet
    assert 'width="1200" height="800"' in snippet  # the map sizes itself to the frame the snippet makes
    assert export_buttons(at) == ["Download PNG", "Download SVG", "Download PDF"]


@pytest.mark.parametrize("params", [
    {"from": "<script>alert(1)</script>"}, {"systems": "../../etc/passwd"}, {"claim": "\x00"},
    {"from": "95,500"}, {"overlay": "x" * 10_000}, {"entity": "<img src=x onerror=alert(1)>"},
    {"briefing": "maybe"}, {"unknown": "1"}, {"kind": "<script>alert(1)</script>"}, {"country": "China,Narnia"},
])
def test_bad_parameters_fall_back_with_a_visible_note(params):
    at = app(**params)
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    assert "not understood" in notes or "unknown parameter" in notes
    assert "script" not in notes and "img" not in notes and "passwd" not in notes


def test_five_hundred_random_queries_never_raise():
    """Hypothesis-style fuzz of the parser behind every page (fast: no Streamlit run)."""
    pkg = load_package(DATA)
    rng = random.Random(7)
    alphabet = string.printable + "<>\"'&$\u202e\u0000é中"
    keys = ["systems", "from", "claim", "overlay", "entity", "briefing", "embed", "zzz", *FILTERS]
    choices = filter_choices(pkg)
    for _ in range(500):
        params = {rng.choice(keys): "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(rng.randint(1, 4))}
        key = rng.choice(list(FILTERS))  # and a valid filter, in random order, half the time
        if rng.random() < 0.5:
            params[key] = ",".join(rng.sample(choices[key], rng.randint(1, len(choices[key]))))
        view = parse_view(params, pkg)
        assert set(view.systems) <= set(pkg.systems["id"])
        assert parse_view(to_query(view, pkg), pkg) == view  # valid views round-trip


def test_a_few_random_queries_through_the_app():
    rng = random.Random(11)
    for _ in range(5):
        junk = "".join(rng.choice(string.printable) for _ in range(30))
        at = app(**{"from": junk, "claim": junk[::-1]})
        assert not at.exception


@pytest.mark.parametrize("page", ["app_pages/systems.py", "app_pages/sources.py", "app_pages/supply_chain.py"])
def test_every_page_runs(page):
    at = AppTest.from_file(APP, default_timeout=120).run()  # run once before switching pages
    at.switch_page(page).run()
    assert not at.exception
    assert at.title[0].value == {"app_pages/systems.py": "Systems", "app_pages/sources.py": "Sources",
                                 "app_pages/supply_chain.py": "Supply chain: the network and the evidence"}[page]


CONTROLS = ("multiselect", "text_input", "selectbox", "download_button", "toggle", "button")


def controls(at) -> list[str]:
    return [kind for kind in CONTROLS if at.get(kind)]


@pytest.mark.parametrize("page", ["app_pages/supply_chain.py", "app_pages/systems.py", "app_pages/sources.py"])
def test_a_briefing_shows_every_page_without_controls(page):
    """?briefing=1 (and embed, the same branch): no widget and no share panel on any page,
    while the page's figures and tables are still drawn."""
    at = app(briefing="1")
    at.switch_page(page).run()
    assert not at.exception
    assert controls(at) == [], controls(at)
    assert not [e for e in at.expander if e.label.startswith("Share")]
    assert at.dataframe or at.get("plotly_chart")
    normal = AppTest.from_file(APP, default_timeout=120).run()
    normal.switch_page(page).run()
    assert controls(normal) or [e for e in normal.expander if e.label.startswith("Share")]  # the check can fail


def test_a_briefing_of_the_supply_chain_shows_the_view_its_link_names():
    at = app(briefing="1", systems="SEJJIL", entity="C_LIMMT", confidence="stated")
    at.switch_page("app_pages/supply_chain.py").run()
    assert not at.exception and controls(at) == []
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(charts) == 2 and "Sejjil" in charts[0] and "Shahab-3" not in charts[0]  # Sejjil's chain, the network
    assert any(h.value.startswith("Profile:") for h in at.subheader)  # the entity's profile
    whole = app(briefing="1", systems="SEJJIL", entity="C_LIMMT")
    whole.switch_page("app_pages/supply_chain.py").run()
    assert whole.get("plotly_chart")[-1].proto.spec != charts[-1]  # the confidence filter reached the network


def test_supply_chain_profile_of_cosailing():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["entity"] = "C_COSAILING"
    at.run()
    at.switch_page("app_pages/supply_chain.py").run()
    assert not at.exception
    text = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "YUE, Richard" in text and "Qingdao" in text and "2017-02-03" in text
    assert "Cables reveal Chinese connection" in text  # the seed article, cited


def test_shahab_family_is_one_chain_headed_by_all_three():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/supply_chain.py").run()
    specs = [c.proto.spec for c in at.get("plotly_chart")[:-1]]
    assert len(specs) == 2  # Shahab-3 / improved Shahab-3 / Ghadr-1 share one chain; Sejjil has its own
    assert "Shahab-3" in specs[0] and "Ghadr-1" in specs[0] and "Sejjil" not in specs[0]


def test_supply_chain_filters_never_raise():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/supply_chain.py").run()
    by_label = {m.label: m for m in at.multiselect}
    by_label["Network"].set_value(["N_ASGHARZADEH"]).run()
    pkg = load_package(DATA)
    chains = chains_for_systems(build_graph(pkg), tuple(pkg.systems["id"]))
    assert not at.exception and len(at.get("plotly_chart")) == len(chains) + 1  # the chains, then the network
    by_label = {m.label: m for m in at.multiselect}
    by_label["Confidence"].set_value(["inferred"]).run()
    assert not at.exception


def test_network_filters_are_part_of_the_url():
    at = app(kind="company", country="China")
    at.switch_page("app_pages/supply_chain.py").run()
    assert not at.exception and not at.info
    by_label = {m.label: m for m in at.multiselect}
    assert by_label["Entity kind"].value == ["company"] and by_label["Country"].value == ["China"]
    network = at.get("plotly_chart")[-1].proto.spec  # the filtered network, as the core draws it
    pkg = load_package(DATA)
    names = dict(zip(pkg.entities["id"], pkg.entities["name"]))
    expected = network_subgraph(build_graph(pkg), parse_view("kind=company&country=China", pkg)).nodes
    assert expected and all(json.dumps(names[n])[1:-1] in network for n in expected)
    assert "SHAHID HEMMAT" not in network  # an Iranian government body: filtered out
    by_label["Confidence"].set_value(["secondhand", "stated"]).run()
    assert at.query_params["confidence"] in ("stated,secondhand", ["stated,secondhand"])  # the filter's own order
    by_label = {m.label: m for m in at.multiselect}
    by_label["Network"].set_value(["N_ROSTAMIAN"]).run()
    assert at.query_params["network"] in ("N_ROSTAMIAN", ["N_ROSTAMIAN"])
    assert at.query_params["kind"] in ("company", ["company"])
    {m.label: m for m in at.multiselect}["Entity kind"].set_value([]).run()
    assert "kind" not in at.query_params
    at.session_state["share_chain"] = True  # the panel offers the chain and the filtered network
    at.run()
    assert "network=N_ROSTAMIAN" in at.code[0].value
    keys = [b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")]
    assert [k for k in keys if k.startswith("dl_")] == [
        "dl_chain_png", "dl_chain_svg", "dl_chain_pdf", "dl_network_png", "dl_network_svg", "dl_network_pdf"]


def test_invalid_data_shows_messages_not_a_traceback(data_copy, monkeypatch):
    set_cell(data_copy, "range_claims.csv", "RC05", "range_km", "-5")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_copy))
    at = app()
    assert not at.exception
    assert "range_claims.csv:" in at.code[0].value and "must be greater than 0" in at.code[0].value
    assert not at.get("deck_gl_json_chart")


def test_a_view_is_parsed_once_per_rerun(monkeypatch):
    """The URL is parsed once per rerun (app.py and the page share the parse), and not again
    on a rerun whose URL did not change."""
    import dashboard.views.dashboard as dashboard_module

    calls = []
    real = dashboard_module.parse_view
    monkeypatch.setattr(dashboard_module, "parse_view", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    at = app(systems="SEJJIL", **{"from": "semnan"})
    assert not at.exception and len(calls) == 1
    at.run()
    assert len(calls) == 1


def test_the_warm_up_leaves_the_first_visitors_map_ready():
    """dashboard/serve.py's warm-up (ui.state.warm_up) draws the default map at the page's
    size into the caches the map page reads: the first visit computes no map of its own."""
    import streamlit as st

    from dashboard.ui import state
    from dashboard.views.dashboard import Dashboard

    st.cache_resource.clear()
    Dashboard._map.cache_clear()
    state.warm_up()
    warmed = Dashboard._map.cache_info()
    assert warmed.misses == 1 and warmed.currsize == 1
    at = app()
    assert not at.exception and at.get("deck_gl_json_chart")
    visited = Dashboard._map.cache_info()
    assert visited.misses == warmed.misses and visited.hits > warmed.hits
