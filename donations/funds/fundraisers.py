"""Supporters' own pages: started by anyone, kept through signed links e-mailed to them (no
password), public once their address is confirmed and staff approved. Services flush;
callers commit."""

from dataclasses import dataclass
from datetime import date, timedelta

from blinker import Namespace
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from donations.extensions import db, utcnow
from donations.funds import services as funds
from donations.funds.models import Appeal, Fund, Fundraiser

SALT = "edit-a-fundraising-page"
#: sent as page_approved.send(fundraiser) when staff approve a page, in that transaction
page_approved = Namespace().signal("page-approved")
#: what a page's target may be
TARGET_RANGE = (1_000, 100_000_000)


class LinkRefused(ValueError):
    """A link that cannot open a page: not ours, for another page, expired, or replaced."""


@dataclass(frozen=True)
class PageDetails:
    """What a supporter writes about their page."""

    name: str
    story: str
    goal_pence: int
    event_on: date | None
    image_id: int | None = None
    image_alt: str = ""


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def edit_token(fundraiser: Fundraiser) -> str:
    """A link's token: this page, this e-mail address, this generation of links."""
    return _signer().dumps([fundraiser.id, fundraiser.slug, fundraiser.link_version])


def from_token(slug: str, token: str) -> Fundraiser:
    """The page a link opens; LinkRefused (in words) when it opens none."""
    days = current_app.config["FUNDRAISING_LINK_DAYS"]
    try:
        page_id, signed_slug, version = _signer().loads(token, max_age=days * 24 * 3600)
    except SignatureExpired as error:
        raise LinkRefused("This link has expired.") from error
    except (BadSignature, ValueError, TypeError) as error:
        raise LinkRefused("This link is not one of ours.") from error
    fundraiser = funds.fundraiser_by_slug(slug)
    if fundraiser is None or signed_slug != slug or fundraiser.id != page_id:
        raise LinkRefused("This link is for another page.")
    if version != fundraiser.link_version:
        raise LinkRefused("A newer link has been sent since this one: use the latest.")
    if fundraiser.hidden:
        raise LinkRefused("The charity has taken this page down. Please write to us.")
    return fundraiser


def pages_of(email: str) -> list[Fundraiser]:
    """The pages started with this address (that the charity has not taken down)."""
    statement = select(Fundraiser).where(
        Fundraiser.email == email.strip().lower(), Fundraiser.hidden.is_(False)
    )
    return list(db.session.execute(statement.order_by(Fundraiser.id)).scalars())


def fresh_link(fundraiser: Fundraiser) -> str:
    """A new link for the page; every older link stops working."""
    fundraiser.link_version += 1
    return edit_token(fundraiser)


def closes_on(event_on: date | None) -> date | None:
    """The last day a page takes gifts: some days after its event (a setting)."""
    if event_on is None:
        return None
    return event_on + timedelta(days=current_app.config["FUNDRAISER_OPEN_DAYS_AFTER_EVENT"])


def start(
    given_to: Fund | Appeal, slug: str, owner: tuple[str, str, str], page: PageDetails
) -> Fundraiser:
    """A new page for a fund or an appeal, waiting for its owner's address to be confirmed.
    FundError says why not."""
    problem = funds.slug_problem(slug, Fundraiser)
    if problem:
        raise funds.FundError(problem, "slug")
    if funds.status_of(given_to) is not funds.Status.OPEN:
        raise funds.FundError(f"The {given_to.name} is not taking gifts.")
    first_name, last_name, email = owner
    fund = given_to.fund if isinstance(given_to, Appeal) else given_to
    fundraiser = Fundraiser(
        slug=slug,
        fund=fund,
        appeal=given_to if isinstance(given_to, Appeal) else None,
        first_name=first_name,
        last_name=last_name,
        email=email.strip().lower(),
        summary="",
        position=0,
        name=page.name,
        story=page.story,
        goal_pence=page.goal_pence,
        event_on=page.event_on,
        closes_on=closes_on(page.event_on),
        image_id=page.image_id,
        image_alt=page.image_alt,
    )
    return funds.add_checked(fundraiser, actor=f"a supporter starting {slug}")


def confirm(fundraiser: Fundraiser) -> bool:
    """The owner opened a link sent to their address: it is theirs. True the first time."""
    if fundraiser.email_confirmed_at is not None:
        return False
    fundraiser.email_confirmed_at = utcnow()
    return True


def edit_by_owner(fundraiser: Fundraiser, page: PageDetails, notify_gifts: bool) -> dict:
    """The owner's own change; audited as theirs."""
    values = {
        "name": page.name,
        "story": page.story,
        "goal_pence": page.goal_pence,
        "event_on": page.event_on,
        "closes_on": closes_on(page.event_on),
        "notify_gifts": notify_gifts,
    }
    if page.image_id is not None:
        values.update(image_id=page.image_id, image_alt=page.image_alt)
    elif fundraiser.image_id:
        values["image_alt"] = page.image_alt
    return funds.change(fundraiser, actor=f"the page's owner ({fundraiser.slug})", **values)


def approve(fundraiser: Fundraiser) -> dict:
    """Staff let the page be seen (its owner is told, once)."""
    if fundraiser.approved_at is not None:
        return {}
    replaced = funds.change(fundraiser, approved_at=utcnow())
    page_approved.send(fundraiser)
    return replaced


def is_target_newly_reached(fundraiser: Fundraiser, raised_pence: int) -> bool:
    """True once: the first time what the page raised reaches its target."""
    if fundraiser.target_reached_at is not None or raised_pence < fundraiser.goal_pence:
        return False
    fundraiser.target_reached_at = utcnow()
    return True
