"""Supporters' own pages, from the supporter's side: start one, open it from the link we
e-mail (which confirms the address), change it, ask for a fresh link. No passwords."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from donations.extensions import limiter
from donations.fundraising import mail
from donations.fundraising.forms import EditForm, LinkForm, StartForm
from donations.funds import fundraisers
from donations.funds import services as funds
from donations.images import services as images
from donations.ledger.services import totals_for
from donations.transaction import commit, undone_on
from donations.web import accepts_uploads

bp = Blueprint("fundraising", __name__, url_prefix="/fundraising")


def _rate_limit() -> str:
    return current_app.config["FUNDRAISING_RATE_LIMIT"]


def _start_page(form: StartForm, status: int = 200):
    return render_template("fundraising/start.html", form=form), status


@bp.get("/start")
def start():
    form = StartForm(formdata=None)
    for kind in ("appeal", "fund"):
        if request.args.get(kind):
            form.given_to.data = f"{kind}:{request.args[kind]}"
    return _start_page(form)


def _uploaded_image() -> int | None:
    """The photo sent with the form, stored (its words are checked with the page's)."""
    stored = images.store_upload(request.files.get("photo"))
    return stored.id if stored is not None else None


def _refused(form, error: Exception) -> None:
    """Put a refusal beside the field it is about."""
    fields = {
        "slug": getattr(form, "slug", None),
        "goal_pence": form.target,
        "closes_on": form.event_on,
        "image_alt": form.image_alt,
    }
    field = fields.get(getattr(error, "field", None)) or (
        form.photo if isinstance(error, images.ImageRefused) else form.title
    )
    field.errors = [*field.errors, str(error)]


@bp.post("/start")
@limiter.limit(_rate_limit)
@accepts_uploads
def start_submit():
    form = StartForm()
    if not form.validate():
        return _start_page(form, 400)
    try:
        with undone_on(funds.FundError, images.ImageRefused):
            page = fundraisers.start(
                form.chosen(),
                form.slug.data.strip(),
                (form.first_name.data.strip(), form.last_name.data.strip(), form.email.data),
                form.details(_uploaded_image()),
            )
            mail.send_link(page)
    except (funds.FundError, images.ImageRefused) as error:
        _refused(form, error)
        return _start_page(form, 400)
    commit()
    return render_template("fundraising/started.html", page=page)


def _private(response):
    """A page reached by a private link: never kept by a cache, never passed on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _opened(slug: str, token: str):
    """The page a link opens, or the page that says why it does not."""
    try:
        return fundraisers.from_token(slug, token), None
    except fundraisers.LinkRefused as error:
        refusal = render_template("fundraising/link_refused.html", reason=str(error))
        return None, _private(current_app.make_response((refusal, 403)))


def _manage_page(page, form: EditForm, token: str, status: int = 200):
    body = render_template(
        "fundraising/manage.html",
        page=page,
        form=form,
        token=token,
        awaiting=funds.awaiting(page),
        public=funds.is_public(page),
        raised=totals_for(page).raised_pence,
        image=images.image(page.image_id),
    )
    return _private(current_app.make_response((body, status)))


@bp.get("/<slug>/manage/<token>")
def manage(slug: str, token: str):
    page, refused = _opened(slug, token)
    if refused:
        return refused
    if fundraisers.confirm(page):
        flash("Thank you: your e-mail address is confirmed.")
    commit()
    form = EditForm(formdata=None)
    form.fill(page)
    form.notify_gifts.data = page.notify_gifts
    return _manage_page(page, form, token)


@bp.post("/<slug>/manage/<token>")
@limiter.limit(lambda: current_app.config["DONATE_RATE_LIMIT"])
@accepts_uploads
def manage_save(slug: str, token: str):
    page, refused = _opened(slug, token)
    if refused:
        return refused
    form = EditForm()
    if not form.validate():
        return _manage_page(page, form, token, 400)
    try:
        with undone_on(funds.FundError, images.ImageRefused):
            fundraisers.edit_by_owner(page, form.details(_uploaded_image()), form.notify_gifts.data)
    except (funds.FundError, images.ImageRefused) as error:
        _refused(form, error)
        return _manage_page(page, form, token, 400)
    commit()
    flash("Your page is saved.")
    return redirect(url_for("fundraising.manage", slug=slug, token=token), 303)


@bp.get("/link")
def link():
    return render_template("fundraising/link.html", form=LinkForm(formdata=None), sent=False)


@bp.post("/link")
@limiter.limit(_rate_limit)
def link_submit():
    form = LinkForm()
    if not form.validate():
        return render_template("fundraising/link.html", form=form, sent=False), 400
    for page in fundraisers.pages_of(form.email.data):
        mail.send_link(page, fresh=True)
    commit()
    return render_template("fundraising/link.html", form=form, sent=True)
