"""The donor-facing web: the form, on to Checkout, and the thank-you page. Views stay thin."""

import logging
import secrets
from datetime import UTC, datetime

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from donations import health, logs
from donations.extensions import limiter
from donations.funds import services as funds
from donations.gift_aid import services as declarations
from donations.gift_aid.wording import declaration_parts
from donations.gifts import services as gifts
from donations.gifts.dates import next_payment
from donations.gifts.links import (
    LinkExpired,
    donation_from_gift_aid_token,
    donation_from_token,
    manage_token,
)
from donations.gifts.models import DonationStatus
from donations.giving import prefill
from donations.giving.forms import DonationForm, new_form_token
from donations.giving.tiles import tiles
from donations.ledger.standing import gift_aid_due
from donations.money import format_gbp
from donations.page_cache import Rendered
from donations.payments.checkout import confirm_with_gateway, open_checkout, open_portal
from donations.payments.gateway import GatewayError, gateway
from donations.transaction import commit, undone_on
from donations.web import Form, absolute_url, forms_may_go_to, found_or_404

log = logging.getLogger(__name__)

bp = Blueprint("giving", __name__)
forms_may_go_to(bp, lambda: gateway().checkout_origin)

#: the references of the gifts this browser made, newest last: only they show in full
MY_DONATIONS = "my_donations"
REMEMBERED = 20


def _remember(donation) -> None:
    made = [r for r in session.get(MY_DONATIONS, []) if r != donation.reference]
    session[MY_DONATIONS] = [*made, donation.reference][-REMEMBERED:]


def _made_here(donation) -> bool:
    return donation.reference in session.get(MY_DONATIONS, [])


def _catalogue_and_fund(slug: str | None):
    """The open funds (the form's choices) and the one the path names, if it names one."""
    catalogue = funds.open_funds()
    if slug is None:
        return catalogue, None
    return catalogue, found_or_404(funds.public_by_slug("fund", slug))


class GiftsRefused(Exception):
    """A gift asked for a fund or appeal that does not take gifts today."""

    def __init__(self, campaign):
        self.campaign = campaign


@bp.errorhandler(GiftsRefused)
def gifts_refused(refused: GiftsRefused):
    """A clear page, pointing to the funds that are open; nothing is recorded."""
    campaign = refused.campaign
    status = funds.status_of(campaign)
    page = render_template(
        "giving/closed.html",
        campaign=campaign,
        status=status,
        open_funds=funds.open_funds(),
        appeals=funds.open_appeals(),
    )
    return page, 410 if status is funds.Status.CLOSED else 403


def _taking_gifts(campaign):
    if campaign is not None and funds.status_of(campaign) is not funds.Status.OPEN:
        raise GiftsRefused(campaign)
    return campaign


def _open_named(kind: str, slug: str | None):
    """The open appeal or supporter's page a link or form names; None when it names none
    (404 if unknown or not public; the refusal page if it takes no gifts today)."""
    if not slug:
        return None
    return _taking_gifts(found_or_404(funds.public_by_slug(kind, slug)))


def _given_through(args):
    """The appeal and page a gift is given through, as the link or form names them; a page
    brings its own appeal."""
    fundraiser = _open_named("fundraiser", args.get("fundraiser"))
    if fundraiser is not None:
        return fundraiser.appeal, fundraiser
    return _open_named("appeal", args.get("appeal")), None


def _attributed(form: DonationForm, appeal, fundraiser) -> None:
    """The form's hidden fields say what the gift is given through; the fund follows."""
    given_to = fundraiser or appeal
    if given_to is not None:
        form.fund.data = given_to.fund.slug
        form.appeal.data = appeal.slug if appeal is not None else None
        form.fundraiser.data = fundraiser.slug if fundraiser is not None else None


def _cover_examples() -> list[tuple[str, str]]:
    """What covering the fees adds to each preset (made once per app, from its settings)."""
    made = current_app.extensions.get("cover_examples")
    if made is None:
        made = current_app.extensions["cover_examples"] = [
            (format_gbp(p, drop_zero_pence=True), format_gbp(gifts.fee_cover_for(p)))
            for p in current_app.config["PRESET_AMOUNTS_PENCE"]
        ]
    return made


def render_form(form: DonationForm, status: int = 200, notice: str | None = None):
    config = current_app.config
    appeal = funds.public_by_slug("appeal", form.appeal.data) if form.appeal.data else None
    fundraiser = (
        funds.public_by_slug("fundraiser", form.fundraiser.data) if form.fundraiser.data else None
    )
    declaration, tax_statement = declaration_parts(config["CHARITY_NAME"])
    return (
        render_template(
            "giving/form.html",
            form=form,
            notice=notice,
            tiles=tiles(),
            cover_examples=_cover_examples(),
            fee_rate=config["FEE_RATE_BASIS_POINTS"],
            fee_fixed=config["FEE_FIXED_PENCE"],
            declaration=declaration,
            tax_statement=tax_statement,
            appeal=appeal,
            fundraiser=fundraiser,
        ),
        status,
    )


def _cancelled_donation():
    """The gift this browser last sent to Checkout, if the donor came back without paying."""
    made = session.get(MY_DONATIONS, [])
    if not request.args.get("cancelled") or not made:
        return None
    donation = gifts.by_reference(made[-1])
    if donation is None or donation.status != DonationStatus.CREATED:
        return None
    return donation


#: stand-ins for a visitor's own tokens in a blank form rendered once for everyone; random
#: letters, so nothing a link can put in the form (digits, "£", "," and ".") contains them
CSRF_MARK = f"csrf-{secrets.token_hex(16)}"
FORM_TOKEN_MARK = f"form-{secrets.token_hex(16)}"


def _blank_form(form: DonationForm) -> str:
    """A form with nothing typed in it is alike for every visitor but for its two tokens: each
    worker renders it once a second per prefill, and puts each visitor's own tokens into it."""
    visitor_csrf = form.csrf_token.current_token

    def render() -> Rendered:
        form.csrf_token.current_token = CSRF_MARK
        form.form_token.data = FORM_TOKEN_MARK
        page, _ = render_form(form)
        return Rendered.of(page.encode(), "text/html")

    key = (
        "donate",
        form.fund.data,
        form.appeal.data,
        form.fundraiser.data,
        form.frequency.data,
        form.amount.data,
        form.other_amount.data,
    )
    page = current_app.extensions["page_cache"].get(key, render).body.decode()
    return page.replace(CSRF_MARK, visitor_csrf).replace(FORM_TOKEN_MARK, new_form_token())


@bp.get("/donate", endpoint="donate")
@bp.get("/donate/<slug>", endpoint="donate")
def donate(slug: str | None = None):
    catalogue, fund = _catalogue_and_fund(slug)
    _taking_gifts(fund)
    form = DonationForm(formdata=None, funds=catalogue)
    if (resumed := _cancelled_donation()) is not None:
        prefill.from_details(form, resumed.fund.slug, gifts.details_of(resumed))
        given_to = resumed.fundraiser or resumed.appeal
        if given_to is not None and funds.status_of(given_to) is funds.Status.OPEN:
            _attributed(form, resumed.appeal, resumed.fundraiser)
        form.form_token.data = new_form_token()
        notice = "You cancelled the payment and nothing was taken. Your details are below."
        return render_form(form, notice=notice)
    appeal, fundraiser = _given_through(request.args)
    prefill.from_query(form, request.args, fund)
    _attributed(form, appeal, fundraiser)
    return _blank_form(form)


@bp.post("/donate", endpoint="donate_submit")
@bp.post("/donate/<slug>", endpoint="donate_submit")
@limiter.limit(lambda: current_app.config["DONATE_RATE_LIMIT"])
def donate_submit(slug: str | None = None):
    catalogue, _ = _catalogue_and_fund(slug)
    form = DonationForm(funds=catalogue)
    appeal, fundraiser = _given_through(request.form)
    if appeal is None and fundraiser is None:
        _taking_gifts(funds.public_by_slug("fund", form.fund.data))
    _attributed(form, appeal, fundraiser)  # the fund follows, whatever else was sent
    if not form.validate():
        return render_form(form, status=400)
    fund = funds.by_slug(form.fund.data)
    try:
        with undone_on(IntegrityError, GatewayError):
            donation = gifts.start_donation(fund, form.details(), appeal, fundraiser)
            started = donation.status == DonationStatus.CREATED
            checkout_url = open_checkout(donation) if started else None
    except IntegrityError:  # the same form, submitted twice at once: follow the first
        donation = gifts.by_form_token(form.form_token.data)
        if donation is None or not donation.checkout_url:
            raise
        checkout_url = donation.checkout_url
    except GatewayError:
        current_app.logger.exception("could not open a checkout session")
        notice = (
            "We could not reach our card payment provider, so nothing has been taken. "
            "Please try again in a minute."
        )
        return render_form(form, status=503, notice=notice)
    commit()
    log.info("gift started", extra=logs.about(donation))
    _remember(donation)
    if checkout_url is None:  # given before (paid, or a Direct Debit on its way)
        return redirect(url_for("giving.thanks", session_id=donation.checkout_session_id), 303)
    return redirect(checkout_url, 303)


def _manage_url(donation) -> str | None:
    """A monthly gift set up by card or by Direct Debit (collected or not) can be changed or
    stopped from its first page on."""
    if not donation.recurring or donation.status not in (
        DonationStatus.PAID,
        DonationStatus.PENDING,
    ):
        return None
    return absolute_url("giving.manage", token=manage_token(donation))


@bp.get("/donate/thanks")
def thanks():
    donation = found_or_404(gifts.by_checkout_session(request.args.get("session_id")))
    if donation.status in (DonationStatus.CREATED, DonationStatus.PENDING):
        try:
            with undone_on(GatewayError):
                confirm_with_gateway(donation)
            commit()
        except GatewayError:
            current_app.logger.warning("thank-you page could not ask the gateway")
    return render_template(
        "giving/thanks.html",
        donation=donation,
        own=_made_here(donation),
        amount=format_gbp(donation.amount_pence),
        gift_aid=format_gbp(gift_aid_due(donation.amount_pence)) if donation.gift_aid else None,
        next_payment=next_payment(donation.paid_at, donation.interval)
        if donation.paid_at
        else None,
        manage_url=_manage_url(donation),
    )


@bp.errorhandler(CSRFError)
def csrf_refused(error: CSRFError):
    """A form whose security token did not check out may have come from another site: show a
    fresh form, with nothing of what was sent in it."""
    if request.endpoint != "giving.donate_submit":
        return render_template("errors/400.html", reason=error.description), 400
    form = DonationForm(formdata=None, funds=funds.open_funds())
    prefill.from_query(
        form, {}, funds.public_by_slug("fund", (request.view_args or {}).get("slug"))
    )
    form.form_token.data = new_form_token()
    notice = (
        "For your security we could not accept that form, and nothing has been taken. "
        "It may have been open too long, or sent from another website. "
        "Please fill it in again here."
    )
    return render_form(form, status=400, notice=notice)


def _database_away(error):
    """The database went away while a gift was being started: nothing was written, and the
    page keeps what the donor typed, to send again when they are ready."""
    if request.endpoint != "giving.donate_submit":
        return health.database_away(error)
    typed = list(request.form.items(multi=True))
    return health.database_away(error, "giving/try_again.html", typed=typed)


health.answer_database_away(bp, _database_away)


@bp.get("/donate/manage/<token>")
def manage(token: str):
    """A link from a receipt or the thank-you page: on to the page where the donor changes or
    stops their monthly gift (Stripe's customer portal)."""
    try:
        donation = found_or_404(donation_from_token(token))
    except LinkExpired:
        return render_template("giving/manage_expired.html"), 410
    try:
        with undone_on(GatewayError):
            url = open_portal(
                donation, return_to=absolute_url("funds.show", slug=donation.fund.slug)
            )
        commit()
    except GatewayError:
        current_app.logger.exception("could not open the customer portal")
        reason = "We could not reach our payment provider just now. Please try again in a minute."
        return render_template("errors/400.html", reason=reason), 503
    return redirect(url, 303)


class StopGiftAidForm(Form):
    """Only the CSRF token: the link names the donor."""


def _gift_aid_link_donation(token: str):
    """The donation a receipt's Gift Aid link was made for; a 404 or a 410 page if none."""
    try:
        return found_or_404(donation_from_gift_aid_token(token)), None
    except LinkExpired:
        return None, (render_template("giving/gift_aid_link_expired.html"), 410)


@bp.get("/gift-aid/stop/<token>")
def stop_gift_aid(token: str):
    """A link in every receipt that claims Gift Aid: the donor can stop it, for gifts from now
    on, without writing to anyone."""
    donation, refused = _gift_aid_link_donation(token)
    if refused:
        return refused
    return render_template(
        "giving/stop_gift_aid.html",
        form=StopGiftAidForm(formdata=None),
        donation=donation,
        live=declarations.has_live(donation.donor_id),
        done=False,
    )


@bp.post("/gift-aid/stop/<token>")
@limiter.limit(lambda: current_app.config["DONATE_RATE_LIMIT"])
def stop_gift_aid_confirm(token: str):
    donation, refused = _gift_aid_link_donation(token)
    if refused:
        return refused
    form = StopGiftAidForm()
    if not form.validate():
        return render_template(
            "errors/400.html", reason="The form had expired. Please open the link again."
        ), 400
    now = datetime.now(UTC)
    stopped = declarations.cancel_all(donation.donor_id, now, now)
    commit()
    return render_template(
        "giving/stop_gift_aid.html", form=form, donation=donation, live=False, done=stopped > 0
    )
