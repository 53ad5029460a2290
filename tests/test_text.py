"""Text safety helpers: plotly text and Streamlit markdown show data literally."""

from dashboard.figures.text import markdown_literal, plain_text


def test_markdown_literal_neutralises_links_images_tex_and_directives():
    out = markdown_literal("![x](http://example.invalid/x.png) $x^2$ :red[a] <b>bold</b> **b** # h")
    for i, ch in enumerate(out):
        if ch in "![]()$:<>*#^" and (i == 0 or out[i - 1] != "\\"):
            raise AssertionError(f"unescaped {ch!r} at {i} in {out!r}")
    assert out.replace("\\", "") == "![x](http://example.invalid/x.png) $x^2$ :red[a] <b>bold</b> **b** # h"


def test_markdown_literal_keeps_plain_names_readable():
    assert markdown_literal("Shahab 3") == "Shahab 3"
    assert markdown_literal(None) == "" and markdown_literal("a\nb") == "a b"


def test_plain_text_for_plotly():
    assert plain_text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert "$" not in plain_text("$\\href{javascript:alert(1)}{x}$")
