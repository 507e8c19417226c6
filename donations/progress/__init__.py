"""Progress toward each fund's goal: the public pages, and the embed family (JSON, SVG, the
frameable page, embed.js), served from the per-worker page cache. Reads only."""

from flask import Flask

from donations.page_cache import RenderedCache
from donations.progress import embed, pages


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = RenderedCache(app.config["PROGRESS_CACHE_SECONDS"])
    app.register_blueprint(pages.bp)
    app.register_blueprint(embed.bp)
