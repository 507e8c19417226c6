"""A research update's e-mail, written for its reader when the outbox sends it: the update
in HTML and text, the charity's identity, the links to stop (one click, RFC 8058) and to
choose funds. A reader who stopped asking since it was queued is not sent it."""

from flask import render_template

from donations.extensions import db
from donations.gifts.models import Donor
from donations.images import services as images
from donations.markup import to_html
from donations.receipts.models import OutboxMessage
from donations.receipts.outbox import writes
from donations.updates import links, services
from donations.updates.models import ResearchUpdate
from donations.web import absolute_url

#: stands for a donor's token in a test copy to staff, whose links open nothing
EXAMPLE_TOKEN = "example"  # noqa: S105  (a link's place-holder, not a password)


def _reader_links(message: OutboxMessage, update_: ResearchUpdate) -> tuple[str, str] | None:
    """The unsubscribe and preferences links for this message's reader; None when they no
    longer want this update."""
    if message.donor_id is None:
        return (
            absolute_url("updates.unsubscribe", token=EXAMPLE_TOKEN),
            absolute_url("updates.preferences", token=EXAMPLE_TOKEN),
        )
    donor = db.session.get(Donor, message.donor_id)
    if donor is None or donor.email != message.to_address:
        return None
    if not services.wants(donor.id, update_.fund_id):
        return None
    return (
        absolute_url("updates.unsubscribe", token=links.token(donor, links.UNSUBSCRIBE)),
        absolute_url("updates.preferences", token=links.token(donor, links.PREFERENCES)),
    )


def _image_url(image_id: int | None) -> str | None:
    """The update's picture at a width that stays sharp in a 600-pixel e-mail."""
    stored = images.image(image_id)
    if stored is None:
        return None
    widths = sorted(variant.width for variant in stored.variants)
    width = max((w for w in widths if w <= 960), default=widths[0])
    return absolute_url("images.serve", image_id=stored.id, width=width)


@writes(services.WRITER)
def write_update(message: OutboxMessage) -> bool:
    update_ = services.by_id(message.writer_ref)
    reader_links = _reader_links(message, update_) if update_ is not None else None
    if reader_links is None:
        return False
    unsubscribe_url, preferences_url = reader_links
    values = {
        "update": update_,
        "fund": update_.fund,
        "body_html": to_html(update_.body),
        "update_url": absolute_url("funds.updates", slug=update_.fund.slug)
        + f"#update-{update_.id}",
        "image_url": _image_url(update_.image_id),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
        "test": message.donor_id is None,
    }
    message.subject = f"{'[Test] ' if values['test'] else ''}{update_.title}"
    message.body = render_template("updates/email.txt", **values)
    message.html_body = render_template("updates/email.html", **values)
    message.unsubscribe_url = unsubscribe_url
    return True
