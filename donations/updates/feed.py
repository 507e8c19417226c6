"""A fund's research updates as an Atom feed (RFC 4287), written by feedgen."""

from feedgen.feed import FeedGenerator
from flask import current_app

from donations.funds.models import Fund
from donations.markup import to_html
from donations.updates.models import ResearchUpdate
from donations.web import absolute_url


def atom_feed(fund: Fund, updates: list[ResearchUpdate]) -> bytes:
    """Newest first; each entry's content is the update's sanitised HTML."""
    page = absolute_url("funds.updates", slug=fund.slug)
    feed = FeedGenerator()
    feed.id(page)
    feed.title(f"{fund.name}: research updates")
    feed.subtitle(fund.summary or fund.name)
    feed.author({"name": current_app.config["CHARITY_NAME"]})
    feed.link(href=page, rel="alternate", type="text/html")
    feed.link(href=absolute_url("funds.updates_feed", slug=fund.slug), rel="self")
    feed.language("en-GB")
    feed.updated(max((u.updated_at for u in updates), default=fund.created_at))
    for update in updates:
        entry = feed.add_entry(order="append")
        entry.id(f"{page}#update-{update.id}")
        entry.title(update.title)
        entry.link(href=f"{page}#update-{update.id}", rel="alternate", type="text/html")
        entry.published(update.published_at)
        entry.updated(max(update.updated_at, update.published_at))
        entry.content(str(to_html(update.body)), type="html")
    return feed.atom_str(pretty=True)
