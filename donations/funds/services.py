"""The fund catalogue and its appeals: which there are, whether each takes gifts today, and
staff's changes to them, each audited with what it replaced. Services flush; callers commit."""

import re
from datetime import date
from enum import StrEnum

from flask import current_app
from sqlalchemy import select

from donations.extensions import db, utcnow
from donations.funds.models import Appeal, Campaign, Fund, Fundraiser
from donations.images.services import ALT_NEEDED
from donations.staff import audit
from donations.staff.audit import Action
from donations.uk_time import uk_today

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
SLUG_LENGTH = (3, 60)
#: words a page's address may not be: they name the site's own pages, or could pass for them
RESERVED = frozenset(
    [
        "admin",
        "administrator",
        "api",
        "appeals",
        "donate",
        "embed",
        "finance",
        "fundraising",
        "funds",
        "gift-aid",
        "healthz",
        "images",
        "link",
        "login",
        "logout",
        "manage",
        "new",
        "sandbox",
        "start",
        "static",
        "stripe",
        "support",
        "unsubscribe",
        "updates",
        "www",
    ]
)


class FundError(ValueError):
    """A change refused, in words; `field` names what it is about (a column, or None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Status(StrEnum):
    """Whether a fund or appeal takes gifts today (the progress JSON's `status`)."""

    OPEN = "open"
    CLOSED = "closed"
    #: its opening day has not come
    UPCOMING = "upcoming"


def parent_of(campaign: Campaign) -> Campaign | None:
    """What a gift through it also counts toward, next up: a page's appeal (or fund), an
    appeal's fund; a fund has none."""
    if isinstance(campaign, Fundraiser):
        return campaign.appeal or campaign.fund
    if isinstance(campaign, Appeal):
        return campaign.fund
    return None


def status_of(campaign: Campaign, today: date | None = None) -> Status:
    """Closed by staff, or past the end of its closing day (UK time); an appeal or a page
    also closes with what it counts toward. Upcoming before its opening day."""
    today = today or uk_today()
    if campaign.closed_at is not None or (campaign.closes_on and today > campaign.closes_on):
        return Status.CLOSED
    parent = parent_of(campaign)
    if parent is not None and status_of(parent, today) is Status.CLOSED:
        return Status.CLOSED
    if campaign.opens_on and today < campaign.opens_on:
        return Status.UPCOMING
    return Status.OPEN


def _day(day: date) -> str:
    return day.strftime("%-d %b %Y")


def described(campaign: Campaign) -> str:
    """Its state in words, for staff: "open until 31 Dec 2026", "closed, hidden"."""
    status = status_of(campaign)
    if status is Status.UPCOMING:
        words = f"opens on {_day(campaign.opens_on)}"
    elif status is Status.OPEN:
        words = f"open until {_day(campaign.closes_on)}" if campaign.closes_on else "open"
    elif campaign.closed_at is None and campaign.closes_on:
        words = f"closed after {_day(campaign.closes_on)}"
    else:
        words = (
            "closed" if campaign.closed_at or campaign.kind == "fund" else "closed with its fund"
        )
    return f"{words}, hidden" if campaign.hidden else words


def awaiting(fundraiser: Fundraiser) -> str | None:
    """What a supporter's page waits for before it is public, in words; None when nothing."""
    if fundraiser.email_confirmed_at is None:
        return "the supporter to confirm their e-mail address"
    if fundraiser.approved_at is None and not current_app.config["FUNDRAISING_LIVE_AT_ONCE"]:
        return "the charity's approval"
    return None


def is_public(campaign: Campaign) -> bool:
    """Shown on the site: not hidden (nor what it counts toward); a supporter's page once its
    address is confirmed and (unless pages go live at once) staff approved it."""
    if campaign.hidden:
        return False
    if isinstance(campaign, Fundraiser) and awaiting(campaign) is not None:
        return False
    parent = parent_of(campaign)
    return parent is None or is_public(parent)


def all_funds() -> list[Fund]:
    return list(db.session.execute(select(Fund).order_by(Fund.position, Fund.id)).scalars())


def public_funds() -> list[Fund]:
    return [fund for fund in all_funds() if not fund.hidden]


def open_funds() -> list[Fund]:
    """The funds a donor may choose today."""
    return [fund for fund in public_funds() if status_of(fund) is Status.OPEN]


def could_be_slug(slug: str | None) -> bool:
    """Whether text could name a fund, appeal or page at all: anything else (a NUL, say,
    which PostgreSQL refuses in text) is never sent to the database."""
    return bool(slug) and len(slug) <= SLUG_LENGTH[1] and SLUG.fullmatch(slug) is not None


def by_slug(slug: str | None) -> Fund | None:
    if not could_be_slug(slug):
        return None
    return db.session.execute(select(Fund).where(Fund.slug == slug)).scalar_one_or_none()


def appeal_by_slug(slug: str | None) -> Appeal | None:
    if not could_be_slug(slug):
        return None
    return db.session.execute(select(Appeal).where(Appeal.slug == slug)).scalar_one_or_none()


def fundraiser_by_slug(slug: str | None) -> Fundraiser | None:
    if not could_be_slug(slug):
        return None
    statement = select(Fundraiser).where(Fundraiser.slug == slug)
    return db.session.execute(statement).scalar_one_or_none()


def all_fundraisers() -> list[Fundraiser]:
    """Every supporter's page, those waiting for staff first, then the newest."""
    waiting_first = Fundraiser.approved_at.is_not(None)
    statement = select(Fundraiser).order_by(waiting_first, Fundraiser.id.desc())
    return list(db.session.execute(statement).scalars())


FINDERS = {"fund": by_slug, "appeal": appeal_by_slug, "fundraiser": fundraiser_by_slug}


def public_by_slug(kind: str, slug: str | None) -> Campaign | None:
    """The fund, appeal or supporter's page a public address names, if it is public."""
    found = FINDERS[kind](slug)
    return found if found is not None and is_public(found) else None


def all_appeals() -> list[Appeal]:
    return list(db.session.execute(select(Appeal).order_by(Appeal.position, Appeal.id)).scalars())


def open_appeals(fund: Fund | None = None) -> list[Appeal]:
    """The appeals taking gifts today, shown on the home page (and a fund's page)."""
    return [
        appeal
        for appeal in all_appeals()
        if (fund is None or appeal.fund_id == fund.id)
        and is_public(appeal)
        and status_of(appeal) is Status.OPEN
    ]


def slug_problem(slug: str, model: type[Campaign]) -> str | None:
    """Why a web address cannot be used, in words; None when it can."""
    low, high = SLUG_LENGTH
    if not low <= len(slug) <= high:
        return f"Use {low} to {high} characters."
    if not SLUG.fullmatch(slug):
        return "Use lower-case letters a to z, digits and single hyphens between words."
    if slug in RESERVED:
        return f"'{slug}' is one of the site's own words: choose another."
    taken = db.session.execute(select(model.id).where(model.slug == slug)).first()
    if taken is not None:
        return "That address is taken: choose another."
    return None


def _check(campaign: Campaign, values: dict) -> None:
    """Refuse values that make no sense together, before any is set."""

    def value(name):
        return values[name] if name in values else getattr(campaign, name)

    if value("goal_pence") is None or value("goal_pence") <= 0:
        raise FundError(f"A {campaign.kind}'s goal must be more than £0.", "goal_pence")
    if value("opens_on") and value("closes_on") and value("closes_on") < value("opens_on"):
        raise FundError("The closing day must not be before the opening day.", "closes_on")
    if value("image_id") and not (value("image_alt") or "").strip():
        raise FundError(ALT_NEEDED, "image_alt")


def _audited_values(campaign: Campaign, names) -> dict:
    return {name: getattr(campaign, name) for name in names}


ACTIONS = {
    Fund: (Action.FUND_CREATED, Action.FUND_CHANGED),
    Appeal: (Action.APPEAL_CREATED, Action.APPEAL_CHANGED),
    Fundraiser: (Action.FUNDRAISER_STARTED, Action.FUNDRAISER_CHANGED),
}
#: what the audit log keeps of a new one: what staff or its owner wrote, no one's address
AUDITED = ("name", "summary", "story", "goal_pence", "opens_on", "closes_on", "image_id")


def _action(campaign: Campaign, created: bool) -> Action:
    made, changed = ACTIONS[type(campaign)]
    return made if created else changed


def create(model: type[Campaign], slug: str, **values) -> Campaign:
    """A new fund or appeal (a page: `fundraisers.start`); FundError when it cannot be."""
    problem = slug_problem(slug, model)
    if problem:
        raise FundError(problem, "slug")
    return add_checked(model(slug=slug, **values))


def add_checked(campaign: Campaign, actor: str | None = None) -> Campaign:
    """Add a new fund, appeal or page made by the caller, checked and audited."""
    _check(campaign, {})
    db.session.add(campaign)
    db.session.flush()
    after = _audited_values(campaign, AUDITED)
    audit.record(_action(campaign, created=True), subject=campaign.slug, actor=actor, after=after)
    return campaign


def change(campaign: Campaign, actor: str | None = None, **values) -> dict:
    """Set what changed, audited with what it replaced; the changed fields' old values."""
    before = _audited_values(campaign, values)
    changed = {name: value for name, value in values.items() if before[name] != value}
    if not changed:
        return {}
    _check(campaign, changed)
    for name, value in changed.items():
        setattr(campaign, name, value)
    db.session.flush()
    replaced = {name: before[name] for name in changed}
    audit.record(
        _action(campaign, created=False),
        subject=campaign.slug,
        actor=actor,
        before=replaced,
        after=changed,
    )
    return replaced


def close(campaign: Campaign) -> dict:
    """Stop taking gifts now; the page keeps its figures and says it has closed."""
    return change(campaign, closed_at=campaign.closed_at or utcnow())


def reopen(campaign: Campaign) -> dict:
    return change(campaign, closed_at=None)


def set_hidden(campaign: Campaign, hidden: bool) -> dict:
    return change(campaign, hidden=hidden)


def add_fund(slug: str, name: str, goal_pence: int, summary: str = "", story: str = "") -> Fund:
    return create(Fund, slug, name=name, goal_pence=goal_pence, summary=summary, story=story)


def set_goal(slug: str, goal_pence: int) -> Fund:
    fund = by_slug(slug)
    if fund is None:
        raise FundError(f"No fund with the slug {slug!r}.")
    change(fund, goal_pence=goal_pence)
    return fund
