"""The rendering core: data stays data, templates are sandboxed, overrides work."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmentor.documents.render import (
    MarkdownText,
    Part,
    Renderer,
    TemplateProblem,
    clean_text,
    css_string,
    markdown_to_html,
    md_escape,
)
from rmentor.text import slug


def paragraph_text(markdown: str) -> str:
    rendered = markdown_to_html(markdown).strip()
    assert rendered.startswith("<p>"), rendered
    return html.unescape(re.sub(r"</?p>", "", rendered))


@settings(max_examples=400, deadline=None)
@given(st.text(min_size=1, max_size=80).filter(lambda s: clean_text(s) != ""))
def test_escaped_data_renders_as_exactly_its_text(value: str) -> None:
    # Any text, escaped, comes out of Markdown as the same characters: no emphasis,
    # link, heading, code, table cell or HTML can come from a participant's data.
    text = clean_text(value)
    if text[0] in "0123456789":  # "1." at a line start is a list; we test the inline case
        text = "x" + text
    assert paragraph_text("x " + md_escape(text)) == "x " + text


def test_hostile_values() -> None:
    assert md_escape("<script>alert(1)</script>") == r"\<script\>alert\(1\)\</script\>"
    assert md_escape("[x](javascript:alert(1))") == r"\[x\]\(javascript:alert\(1\)\)"
    assert md_escape("a|b") == r"a\|b"
    assert md_escape("\u202eevil\u202c name\n# heading") == r"evil name \# heading"
    assert md_escape(MarkdownText("**kept**")) == "**kept**"
    assert md_escape(None) == ""


def test_css_string_and_slug() -> None:
    assert '"' not in css_string('a"b')
    assert "<" not in css_string("</style>")
    assert slug("../../etc/passwd") == "etc-passwd"
    assert re.fullmatch(r"[a-z0-9-]+", slug("Zoë Faßbender!"))
    assert slug("") == "x"


def test_program_templates_override_and_are_sandboxed(tmp_path: Path) -> None:
    (tmp_path / "index.md.j2").write_text("# Mine {{ program.name }}\n")
    renderer = Renderer(tmp_path)
    text = renderer.markdown(Part("index.md.j2", {"program": {"name": "A*B"}}))
    assert text == "# Mine A\\*B\n"
    (tmp_path / "evil.md.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateProblem):
        renderer.markdown(Part("evil.md.j2", {}))
    (tmp_path / "typo.md.j2").write_text("{{ progam.name }}")
    with pytest.raises(TemplateProblem, match="progam"):
        renderer.markdown(Part("typo.md.j2", {"program": {}}))
    with pytest.raises(TemplateProblem, match="not found"):
        renderer.markdown(Part("missing.md.j2", {}))


def test_data_is_never_template_source(tmp_path: Path) -> None:
    (tmp_path / "t.md.j2").write_text("Hello {{ name }}\n")
    text = Renderer(tmp_path).markdown(Part("t.md.j2", {"name": "{{ 7*7 }}{% raw %}"}))
    assert "49" not in text
    assert text == "Hello \\{\\{ 7\\*7 \\}\\}\\{% raw %\\}\n"


def test_html_layout_is_self_contained(tmp_path: Path) -> None:
    (tmp_path / "t.md.j2").write_text("# Title\n\nHi {{ name }}\n")
    page = Renderer(tmp_path, "letter").document_html(
        "T", [Part("t.md.j2", {"name": "<img src=x onerror=alert(1)>"})], header='A"</style>'
    )
    assert "size: Letter" in page
    assert "<img" not in page
    assert "&lt;img" in page
    assert "</style>" in page
    assert page.count("</style>") == 1
    assert not re.search(r"""(src|href)=["']?https?:""", page)


def test_pdf_without_weasyprint_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from rmentor.errors import RmentorError

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as if not installed
    (tmp_path / "t.md.j2").write_text("# T\n")
    with pytest.raises(RmentorError) as caught:
        Renderer(tmp_path).document("T", [Part("t.md.j2", {})], "pdf", header="h")
    message = str(caught.value)
    assert "pip install 'rmentor[pdf]'" in message
    assert "libpango" in message


def test_tick_boxes_are_drawn_as_boxes_in_html() -> None:
    html = markdown_to_html("- [ ] Sign the agreement\n- [ ] **Attend**\n- a [ ] in the middle\n")
    assert html.count('<li class="task"><span class="box"></span>') == 2
    assert "[ ]" not in html.split("a [ ] in")[0]  # the boxes are gone from the text
    assert "<li>a [ ] in the middle</li>" in html  # only at the start of an item
    loose = markdown_to_html("- [ ] one\n\n- [ ] two\n")
    assert loose.count('<p><span class="box"></span>') == 2
