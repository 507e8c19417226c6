"""Progress toward each fund's goal: the public pages, and the embed family (JSON, SVG, the
frameable page, embed.js) with its per-worker cache. Reads only."""

from flask import Flask

from donations.progress import embed, pages
from donations.progress.cache import RenderedCache


def init_app(app: Flask) -> None:
    app.extensions["progress_cache"] = RenderedCache(app.config["PROGRESS_CACHE_SECONDS"])
    app.register_blueprint(pages.bp)
    app.register_blueprint(embed.bp)
