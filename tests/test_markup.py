"""Stories and updates: Markdown in, HTML that can do nothing but show text out."""

from html.parser import HTMLParser

import pytest

from donations.markup import TAGS, to_html, to_inline_html


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](  javascript:alert(1))",
    "[click me](vbscript:msgbox(1))",
    "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<svg onload=alert(1)>",
    '[x](https://ok.example "title" onmouseover="alert(1)")',
    "<!-- a comment --><style>body{display:none}</style>",
    "![pic](https://tracker.example/pixel.png)",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_script_handler_frame_style_or_raw_html_survives(attack):
    for tag, attributes in Elements(str(to_html(attack))).found:
        assert tag in TAGS
        assert not any(name.startswith("on") or name == "style" for name in attributes)
        href = attributes.get("href", "https:")
        assert href.split(":", 1)[0].strip().lower() in ("https", "http", "mailto")


def test_raw_html_is_shown_as_typed():
    assert str(to_html("<b>hi</b>")) == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_ordinary_markdown_is_kept():
    html = str(
        to_html(
            "# Title\n\nSome *words* and **more**, a [link](https://example.org).\n\n- one\n- two"
        )
    )
    assert "<h2>Title</h2>" in html  # the page has its own h1
    assert "<em>words</em>" in html
    assert "<strong>more</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert "<li>one</li>" in html


def test_a_citation_is_one_line():
    assert str(to_inline_html("MS Trust, *2016*")) == "MS Trust, <em>2016</em>"
