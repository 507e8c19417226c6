"""Stories and updates are written in Markdown and shown as HTML that can do nothing but
show text: rendered by markdown-it-py with raw HTML off, then cleaned by nh3 (Ammonia) to
a short list of tags, with links only to http, https and mailto addresses."""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")

#: what a story may contain; h1 is the page's own, so stories start at h2
TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
    "code", "pre", "hr",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
SCHEMES = {"http", "https", "mailto"}


def to_html(text: str | None) -> Markup:
    """Safe HTML for a Markdown text: no script, handler, frame, style or raw HTML survives."""
    tokens = _MARKDOWN.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
    rendered = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    cleaned = nh3.clean(
        rendered,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704  (nh3 has just cleaned it to the tags above)


def to_inline_html(text: str | None) -> Markup:
    """One line of Markdown (a citation), without a paragraph around it."""
    return to_html(text).removeprefix(Markup("<p>")).rstrip().removesuffix(Markup("</p>"))


def init_app(app) -> None:
    app.add_template_filter(to_html, "markdown")
    app.add_template_filter(to_inline_html, "markdown_inline")
