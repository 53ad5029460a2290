"""Facts of the data package pinned after the 2026-11-30 audit corrections.

Each test states one corrected or added fact as the source text read says it (the change
log with quotes is docs/data-corrections.md). Reads the real package; never writes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.data.load import load_package

DATA = Path(__file__).resolve().parent.parent / "data"

# Classification marks as leaked cables print them before paragraphs and titles.
MARK = re.compile(r"\((?:S|C|U|SBU|TS|S//NF|C//NF|S/NF|SBU/NF|U//FOUO)\)")
# Street-address words as the SDN list prints them (the package keeps city level only).
ADDRESS = re.compile(r"\b(?:Road|Street|Highway|Avenue|Mansion|Square|Boulevard|Lane)\b")
# Source kinds that are US government documents (primary sources).
GOVERNMENT_KINDS = {"official release", "leaked cable", "sanctions list"}


@pytest.fixture(scope="module")
def pkg():
    return load_package(DATA)


def row(frame, id_):
    found = frame[frame["id"] == id_]
    assert len(found) == 1, id_
    return found.iloc[0]


def text_cells(pkg):
    """(table, id, column, text) for every text cell of every table of the package."""
    for name, frame in pkg.tables.items():
        key = "id" if "id" in frame.columns else frame.columns[0]
        for _, r in frame.iterrows():
            for col in frame.columns:
                value = r[col]
                if isinstance(value, str):
                    yield name, r[key], col, value
                elif isinstance(value, (list, tuple)):
                    for item in value:
                        if isinstance(item, str):
                            yield name, r[key], col, item


def test_navid_and_mabrooka_designated_before_2017(pkg):
    assert row(pkg.entities, "C_NAVID")["designation_date"] == "2013-12"
    assert row(pkg.entities, "C_MABROOKA")["designation_date"] == "2016-01-17"


def test_rc05_is_the_us_papers_own_figure_not_an_iranian_range_claim(pkg):
    rc05 = row(pkg.range_claims, "RC05")
    assert rc05["basis"] != "Iranian claim"
    assert "delivered the 1,300-km-range Shahab-3" in rc05["excerpt"]


def test_rc17_is_stated_as_1296_km(pkg):
    rc17 = row(pkg.range_claims, "RC17")
    assert rc17["stated_value"] == 1296 and rc17["stated_unit"] == "km" and rc17["range_km"] == 1296


def test_rc27_rc28_carry_haaretz_metric_figures(pkg):
    assert (row(pkg.range_claims, "RC27")["stated_value"], row(pkg.range_claims, "RC27")["stated_unit"]) == (2000, "km")
    assert (row(pkg.range_claims, "RC28")["stated_value"], row(pkg.range_claims, "RC28")["stated_unit"]) == (900, "km")


def test_rc29_claimant_is_the_jewish_press(pkg):
    claimant = row(pkg.range_claims, "RC29")["claimant"]
    assert claimant.startswith("The Jewish Press") and "Fox" not in claimant


def test_r035_is_no_longer_a_delivery(pkg):
    assert row(pkg.relationships, "R035")["kind"] not in {"supplied"}
    assert row(pkg.relationships, "R035")["kind"] == "offered_to"


def test_r040_vibtel_did_not_offer(pkg):
    r040 = row(pkg.relationships, "R040")
    assert not (r040["from"] == "C_VIBTEL" and r040["kind"] == "offered_to")


def test_r011_is_our_inference(pkg):
    assert row(pkg.relationships, "R011")["confidence"] == "inferred"


def test_r004_names_the_placeholder_not_aio(pkg):
    assert "AIO used here as the umbrella" not in row(pkg.relationships, "R004")["evidence"]


def test_e19_cites_cmtradelaw(pkg):
    assert row(pkg.events, "E19")["source"] == "SRC_CMTL_2017"


def test_lexology_source_is_thompson_hines_article(pkg):
    lex = row(pkg.sources, "SRC_LEX_2017")
    assert lex["url"].endswith("g=29c1c8ea-764d-462a-bc54-706bda50265b")
    assert lex["title"].startswith("Trump Administration Sanctions Iran for Ballistic Missile Tests")
    assert lex["date"] == "2017-02-07"


def test_equivalent_subordinate_links_carry_one_label(pkg):
    ids = [f"R0{i:02d}" for i in [*range(19, 25), *range(27, 32)]]
    labels = {row(pkg.relationships, i)["confidence"] for i in ids}
    assert labels == {"secondhand"}


def test_no_classification_marks_in_any_text_cell(pkg):
    marked = [(t, i, c) for t, i, c, v in text_cells(pkg) if MARK.search(v)]
    assert marked == []


def test_no_street_address_looking_text(pkg):
    found = [(t, i, c, v) for t, i, c, v in text_cells(pkg) if ADDRESS.search(v)]
    assert found == []


def test_programs_hold_tags_only(pkg):
    for tags in pkg.entities["programs"]:
        assert all(re.fullmatch(r"[A-Z0-9-]+", tag) for tag in tags), tags
    tagged = pkg.entities[pkg.entities["programs"].map(len) > 0]
    assert set(tagged["programs_as_of"]) == {"2022-01-31"}


def test_every_system_has_a_government_figure_or_says_none_was_found(pkg):
    kinds = dict(zip(pkg.sources["id"], pkg.sources["kind"]))
    for _, system in pkg.systems.iterrows():
        claims = pkg.range_claims[pkg.range_claims["system"] == system["id"]]
        government = any(kinds[s] in GOVERNMENT_KINDS for s in claims["source"])
        assert government or "not found" in system["notes"], system["id"]
        assert "searched" in system["notes"], system["id"]


def test_ghadr_and_improved_shahab_carry_the_identity_caveat(pkg):
    for sid in ("GHADR1", "SHAHAB3_IMP"):
        caveat = row(pkg.systems, sid)["caveat"]
        assert "Uzi Rubin" in caveat and "same Shahab 3" in caveat
    assert row(pkg.systems, "SHAHAB3")["caveat"] == ""


def test_the_2009_cable_and_the_seed_original_are_sources(pkg):
    cable = row(pkg.sources, "SRC_C09STATE97233")
    assert cable["date"] == "2009-09-18" and cable["kind"] == "leaked cable"
    assert "China's Ballistic Missile-Related Export Control Record" in cable["title"]
    gertz = row(pkg.sources, "SRC_GERTZ_20170209")
    assert gertz["date"] == "2017-02-09" and gertz["title"] == "Sanctions highlight China-Iran missile connection"


def test_smith_statement_dated_by_the_action_and_the_seeds_date_marked_wrong(pkg):
    e24 = row(pkg.events, "E24")
    assert e24["date"] == "2017-02-03"
    assert "Jan. 3" in e24["description"] and "error" in e24["description"]


def test_designations_2017_action_has_25_designated_rows(pkg):
    d = pkg.designations
    action = d[(d["date"] == "2017-02-03") & (d["action"] == "designated")]
    assert len(action) == 25 and action["entity"].is_unique
    dated = set(pkg.entities.loc[pkg.entities["designation_date"] == "2017-02-03", "id"])
    assert set(action["entity"]) == dated


def test_navid_and_mabrooka_only_identified_in_2017(pkg):
    d = pkg.designations
    for eid, first in (("C_NAVID", "2013-12"), ("C_MABROOKA", "2016-01-17")):
        mine = d[d["entity"] == eid]
        assert set(zip(mine["date"], mine["action"])) == {(first, "designated"), ("2017-02-03", "identified")}


def test_limmt_indicted_april_2009(pkg):
    d = pkg.designations
    limmt = d[(d["entity"] == "C_LIMMT") & (d["action"] == "indicted")]
    assert list(limmt["date"]) == ["2009-04-07"]


def test_caveats_name_their_sources_in_words_and_cite_them(pkg):
    """A caveat is shown in the map's hover text and in the GeoJSON, where an internal id
    (SRC_...) means nothing to the reader: it names the source in words, and the system's
    `sources` cell cites it."""
    quoted = {"SHAHAB3_IMP": "SRC_DEFTALK_2007", "GHADR1": "SRC_DEFTALK_2007"}
    for _, row in pkg.systems.iterrows():
        assert not re.search(r"\bSRC_[A-Z0-9_]+", row["caveat"] or ""), row["id"]
        if row["id"] in quoted:
            assert "Defence Talk" in row["caveat"] and quoted[row["id"]] in row["sources"], row["id"]


def test_jet_vanes_delivered_rests_on_the_cable_as_east_asia_intel_quotes_it(pkg):
    """The Washington Post says the 2007 cargo 'was set to be shipped the next day': a planned
    shipment, not a delivery. Only the cable's 'at least 10 air shipments ... have transited
    Beijing', as East-Asia-Intel quotes it, says vanes were delivered, so the supplied row
    cites that source and no row says the Post reported them shipped."""
    g17 = pkg.goods.set_index("id").loc["G17"]
    assert g17["status"] == "supplied" and g17["source"] == "SRC_EASTASIAINTEL_JETVANES"
    assert "'at least 10 air shipments of jet vanes have transited Beijing thus far'" in g17["evidence"]
    for text in (g17["evidence"], pkg.relationships.set_index("id").loc["R046", "evidence"]):
        assert "'was set to be shipped the next day" in text and "vanes shipped from" not in text


def test_range_excerpts_quote_their_source_word_for_word(pkg):
    """RC09 and RC24 quoted as Arms Control Today and AP print them (no added 'about'; the
    source's own '(1,930 kilometers)'); RC24's range_km stays the schema's conversion of miles."""
    rc = pkg.range_claims.set_index("id")
    assert rc.loc["RC09", "excerpt"] == "'With a range of 1,300 kilometers when equipped with a 700-kilogram payload'"
    assert "about 1,200 miles (1,930 kilometers)" in rc.loc["RC24", "excerpt"] and rc.loc["RC24", "range_km"] == 1931


def test_no_row_adds_an_attribution_or_qualifier_its_source_lacks(pkg):
    """Second spot check (2026-11-30): the Defence Talk post names no Jane's; the MTCR cable
    gives the parade's month, not its day; ACA and Thielmann state their ranges without
    'about' or 'reported'; the seed calls no one a 'China-based broker'; North Korea's role
    says what the sources say of the jet vanes, not that the Post reported them shipped."""
    rc = pkg.range_claims.set_index("id")
    deftalk = rc[rc["source"] == "SRC_DEFTALK_2007"]
    texts = [*deftalk["claimant"], *deftalk["note"].fillna(""), *pkg.sources.set_index("id").loc[["SRC_DEFTALK_2007"], "title"]]
    assert len(deftalk) >= 2 and not [t for t in texts if "Jane's" in t]
    assert "2007-09-22" not in rc.loc["RC07", "claimant"] and "September 2007" in rc.loc["RC07", "claimant"]
    assert rc.loc["RC11", "excerpt"] == "'The Shahab-3 is a 53 foot-long, 1,300 kilometer-range ballistic missile'"
    assert rc.loc["RC15", "excerpt"] == "'the 1,600 kilometer-range Ghadr-1'"
    roles = pkg.entities.set_index("id")["role"]
    assert not [i for i in ("P_QIN", "P_YUE", "P_ZHOU") if "broker" in roles[i]]
    assert "'was set to be shipped the next day" in roles["G_NORTH_KOREA"] and "Shipped" not in roles["G_NORTH_KOREA"]


def test_r018_quotes_the_cables_development_role_for_fig(pkg):
    """Third spot check (2026-12-01): 09STATE98727 gives FIG 'the development of' guidance
    systems (SHIG and SBIG get 'development and production'); the row quotes it word for word."""
    evidence = row(pkg.relationships, "R018")["evidence"]
    assert "'the Fajr Industrial Group (FIG), the organization responsible for the development of ballistic missile guidance systems'" in evidence
    assert "AIO subordinate responsible for ballistic missile guidance systems" not in evidence


def test_fig_role_says_development_as_the_cable_does(pkg):
    role = row(pkg.entities, "O_FIG")["role"]
    assert "'responsible for the development of ballistic missile guidance systems'" in role


def test_e12_quotes_the_cables_probably_was_successful(pkg):
    """09STATE98727: 'the May 2009 test probably was successful'; 'probably successful' is not
    the cable's wording and is no longer shown as a quotation."""
    description = row(pkg.events, "E12")["description"]
    assert "'the May 2009 test probably was successful'" in description
    assert "'probably successful'" not in description


def test_e05_says_only_what_iran_focus_says_of_the_2005_order(pkg):
    """Fourth spot check (2026-12-01): Iran Focus (30 June 2005) cites AFP on an order 'venu de
    la Maison Blanche' freezing the assets of four Iran-linked companies, SHIG and SBIG among
    them; it names no order number, so the row no longer says 'E.O. 13382'."""
    e05 = row(pkg.events, "E05")
    assert "13382" not in e05["title"] and "13382" not in e05["description"]
    assert "White House order" in e05["title"]
    assert "citing AFP" in e05["description"]
    assert "'Le groupe industriel Chahid Hemat' and 'Le groupe industriel Chahid Bakeri'" in e05["description"]
    assert e05["source"] == "SRC_IRANFOCUS_FR_2005"


def test_the_june_2005_order_rows_name_no_order_number_or_tag_no_text_read_gives(pkg):
    """Arms Control Today (2005-09) calls it 'a June 29 executive order'; Iran Focus, an order
    from the White House. Neither gives E.O. 13382 or a tag, so D030-D032 say neither."""
    for id_ in ("D030", "D031", "D032"):
        d = row(pkg.tables["designations"], id_)
        assert d["authority"] == "US President (executive order of June 2005)"
        assert "13382" not in " ".join(str(v) for v in d.values)
        assert not d["programs"] and "Tag at the time not stated" in d["notes"]
