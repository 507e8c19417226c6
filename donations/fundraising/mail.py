"""What a supporter is told by e-mail: the link to their page, each gift (unless they said
no), and reaching their target. Queued in the outbox in the transaction that causes it."""

from flask import render_template

from donations.funds import fundraisers
from donations.funds.models import Fundraiser
from donations.gifts.models import Donation
from donations.ledger import services as ledger
from donations.ledger.models import GIFT_KINDS, Entry
from donations.money import format_gbp
from donations.receipts.outbox import queue_message
from donations.web import absolute_url


def _queue(fundraiser: Fundraiser, subject: str, template: str, key: str, **values) -> None:
    values = {
        "page": fundraiser,
        "page_url": _page_url(fundraiser),
        "link_url": absolute_url("fundraising.link"),
        **values,
    }
    body = render_template(f"fundraising/mail/{template}.txt", **values)
    queue_message(fundraiser.email, subject, body, None, key)


def _page_url(fundraiser: Fundraiser) -> str:
    return absolute_url("funds.fundraiser", slug=fundraiser.slug)


def send_link(fundraiser: Fundraiser, fresh: bool = False) -> None:
    """A link to open and change the page (while the address is not yet confirmed, opening
    it confirms it); a fresh one ends every older link."""
    token = fundraisers.fresh_link(fundraiser) if fresh else fundraisers.edit_token(fundraiser)
    url = absolute_url("fundraising.manage", slug=fundraiser.slug, token=token)
    first = fundraiser.email_confirmed_at is None
    subject = "Confirm your fundraising page" if first else "Your link to your fundraising page"
    key = f"fundraiser-link:{fundraiser.id}:{fundraiser.link_version}"
    _queue(fundraiser, subject, "link", key, url=url, first=first)


def on_page_approved(fundraiser: Fundraiser) -> None:
    _queue(fundraiser, "Your fundraising page is live", "live", f"fundraiser-live:{fundraiser.id}")


def donor_name(donation: Donation) -> str | None:
    """The name a supporter is told: only the name the donor chose to show, never when they
    asked to stay anonymous."""
    if donation.anonymous or not donation.display_name:
        return None
    return donation.display_name


def on_gift_paid(donation: Donation, entry: Entry) -> None:
    fundraiser = donation.fundraiser
    if fundraiser is None or entry.kind not in GIFT_KINDS:
        return
    if fundraiser.notify_gifts:
        _queue(
            fundraiser,
            f"A gift of {format_gbp(entry.amount_pence)} to your page",
            "gift",
            f"fundraiser-gift:{entry.source_ref}",
            amount=format_gbp(entry.amount_pence),
            name=donor_name(donation),
        )
    raised = ledger.totals_for(fundraiser).raised_pence
    if fundraisers.is_target_newly_reached(fundraiser, raised):
        _queue(
            fundraiser,
            "You have reached your target",
            "target",
            f"fundraiser-target:{fundraiser.id}",
            raised=format_gbp(raised),
            target=format_gbp(fundraiser.goal_pence, drop_zero_pence=True),
        )
