"""Funds and appeals, run by staff (admins and editors): create, edit (story, image, goal,
days), close, reopen, hide and show. Every change goes through `funds.services`, which
audits it with what it replaced; an image through `images.services`, which refuses anything
that is not really a picture. Views stay thin."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from donations.finance.guard import bp, requires
from donations.funds import fundraisers
from donations.funds import services as funds
from donations.funds.models import Appeal, Campaign, Fund
from donations.images import services as images
from donations.ledger.services import totals_for
from donations.markup import to_html
from donations.money import AmountError, format_gbp, parse_pounds
from donations.staff.roles import Permission
from donations.text import CONTROL, one_newline_form, text_problem
from donations.transaction import commit, undone_on
from donations.web import Form, accepts_uploads, found_or_404

SECTIONS = {"funds": Fund, "appeals": Appeal}
SECTION = "<any(funds, appeals):section>"
#: the Markdown parts of a fund's page, beside its story
FUND_TEXTS = ("gift_buys", "who", "timescale", "promise")
STATE_CHANGES = ("close", "reopen", "hide", "show")


def _markdown(label: str, required: bool = False) -> TextAreaField:
    checks = [InputRequired(f"Write the {label.lower()}.")] if required else [Optional()]
    return TextAreaField(label, checks, filters=[one_newline_form])


class CampaignForm(Form):
    name = StringField("Name", [InputRequired("Give it a name."), Length(max=120)])
    slug = StringField("Web address", [Length(max=60)])
    summary = StringField(
        "Summary (one sentence)", [InputRequired("Write a one-sentence summary."), Length(max=300)]
    )
    story = _markdown("Story", required=True)
    gift_buys = _markdown("What a gift pays for")
    who = _markdown("Who does the work")
    timescale = _markdown("When")
    promise = _markdown("If the goal is passed, or the work cannot go ahead")
    source = StringField("Source (cited under the story)", [Length(max=300)])
    fund = RadioField("The fund it raises money for", validate_choice=False)
    goal = StringField("Goal, in pounds", [InputRequired("Enter the goal in pounds.")])
    opens_on = DateField("First day it takes gifts (optional)", [Optional()])
    closes_on = DateField("Last day it takes gifts (optional)", [Optional()])
    position = IntegerField("Order in lists (lower first)", [Optional(), NumberRange(0, 999)])
    image_alt = StringField(
        "What the image shows (for people who cannot see it)", [Length(max=250)]
    )
    remove_image = BooleanField("Remove the image")
    #: read from request.files by the view (the form reads only text fields); holds its errors
    image = FileField("Image")

    SINGLE_LINE = ("name", "slug", "summary", "source", "image_alt")
    MARKDOWN = ("story", *FUND_TEXTS)

    def __init__(self, *args, section: str, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.section, self.creating = section, creating
        self.fund.choices = [SelectChoice(f.slug, f.name) for f in funds.all_funds()]
        self.goal_pence: int | None = None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name in self.SINGLE_LINE:
            field = getattr(self, name)
            problem = text_problem(field.data or "", field.label.text.split(" (")[0])
            if problem:
                ok = self._fail(field, problem)
        for name in self.MARKDOWN:
            field = getattr(self, name)
            if CONTROL.search((field.data or "").replace("\t", " ")):
                ok = self._fail(field, f"{field.label.text} cannot contain control characters.")
        if self.creating:
            problem = funds.slug_problem(self.slug.data or "", SECTIONS[self.section])
            if problem:
                ok = self._fail(self.slug, problem)
        if self.section == "appeals" and funds.by_slug(self.fund.data) is None:
            ok = self._fail(self.fund, "Choose the fund this appeal raises money for.")
        try:
            self.goal_pence = parse_pounds(self.goal.data or "")
        except AmountError as error:
            ok = self._fail(self.goal, str(error))
        return ok

    def _fail(self, field, message: str) -> bool:
        field.errors = [*field.errors, message]
        return False

    def values(self) -> dict:
        """What the form sets on the fund or appeal (the image apart)."""
        values = {
            "name": self.name.data.strip(),
            "summary": self.summary.data.strip(),
            "story": self.story.data,
            "goal_pence": self.goal_pence,
            "opens_on": self.opens_on.data,
            "closes_on": self.closes_on.data,
            "position": self.position.data or 0,
            "image_alt": (self.image_alt.data or "").strip(),
        }
        if self.section == "funds":
            values.update({name: getattr(self, name).data or "" for name in FUND_TEXTS})
            values["source"] = (self.source.data or "").strip()
        else:
            values["fund_id"] = funds.by_slug(self.fund.data).id
        return values


def _filled(form: CampaignForm, campaign: Campaign) -> None:
    for name in ("name", "summary", "story", "opens_on", "closes_on", "position", "image_alt"):
        getattr(form, name).data = getattr(campaign, name)
    form.goal.data = format_gbp(campaign.goal_pence).removeprefix("£")
    if isinstance(campaign, Fund):
        for name in (*FUND_TEXTS, "source"):
            getattr(form, name).data = getattr(campaign, name)
    else:
        form.fund.data = campaign.fund.slug


def _found(section: str, slug: str) -> Campaign:
    finder = funds.appeal_by_slug if section == "appeals" else funds.by_slug
    return found_or_404(finder(slug))


@bp.get("/funds", endpoint="funds", defaults={"section": "funds"})
@bp.get("/appeals", endpoint="appeals", defaults={"section": "appeals"})
@requires(Permission.EDIT_PAGES)
def campaigns(section: str):
    listed = funds.all_funds() if section == "funds" else funds.all_appeals()
    return render_template(
        "finance/campaigns.html",
        section=section,
        campaigns=[(c, funds.described(c)) for c in listed],
    )


def _form_page(form: CampaignForm, campaign: Campaign | None, status: int = 200, preview=None):
    return (
        render_template(
            "finance/campaign.html",
            form=form,
            section=form.section,
            campaign=campaign,
            image=images.image(campaign.image_id) if campaign else None,
            preview=preview,
        ),
        status,
    )


@bp.get(f"/{SECTION}/new")
@requires(Permission.EDIT_PAGES)
def campaign_new(section: str):
    form = CampaignForm(formdata=None, section=section, creating=True)
    form.fund.data = request.args.get("fund")
    return _form_page(form, None)


@bp.get(f"/{SECTION}/<slug>")
@requires(Permission.EDIT_PAGES)
def campaign_edit(section: str, slug: str):
    campaign = _found(section, slug)
    form = CampaignForm(formdata=None, section=section, creating=False)
    _filled(form, campaign)
    return _form_page(form, campaign)


def _saved(form: CampaignForm, campaign: Campaign | None) -> Campaign:
    """Create or change the fund or appeal; FundError or ImageRefused say what is wrong."""
    values = form.values()
    stored = images.store_upload(request.files.get("image"))
    if stored is not None:
        values["image_id"] = stored.id
    elif form.remove_image.data:
        values["image_id"] = None
    if campaign is None:
        return funds.create(SECTIONS[form.section], form.slug.data, **values)
    funds.change(campaign, **values)
    return campaign


@bp.post(f"/{SECTION}/new", endpoint="campaign_create")
@bp.post(f"/{SECTION}/<slug>", endpoint="campaign_save")
@requires(Permission.EDIT_PAGES)
@accepts_uploads
def campaign_save(section: str, slug: str | None = None):
    campaign = _found(section, slug) if slug else None
    form = CampaignForm(section=section, creating=campaign is None)
    if not form.validate():
        return _form_page(form, campaign, 400)
    if request.form.get("action") == "preview":
        return _form_page(form, campaign, preview=to_html(form.story.data))
    try:
        with undone_on(funds.FundError, images.ImageRefused):
            saved = _saved(form, campaign)
    except images.ImageRefused as error:
        form.image.errors = [str(error)]
        return _form_page(form, campaign, 400)
    except funds.FundError as error:
        target = {
            "slug": form.slug,
            "closes_on": form.closes_on,
            "image_alt": form.image_alt,
        }.get(error.field, form.goal)
        target.errors = [*target.errors, str(error)]
        return _form_page(form, campaign, 400)
    commit()
    flash(f"{saved.name} is saved. The public page shows it within a second.")
    return redirect(url_for("finance.campaign_edit", section=section, slug=saved.slug), 303)


class StateForm(Form):
    """Only the CSRF token: the change is the button pressed."""


def _asked_change(allowed: tuple[str, ...]) -> str:
    """The change the button pressed asks for (the CSRF token is checked for every POST, by
    CSRFProtect); a 400 with the reason if none can be made."""
    change = request.form.get("change", "")
    if change not in allowed:
        abort(400, description="Choose a change.")
    return change


@bp.post(f"/{SECTION}/<slug>/state")
@requires(Permission.EDIT_PAGES)
def campaign_state(section: str, slug: str):
    campaign = _found(section, slug)
    change = _asked_change(STATE_CHANGES)
    if change == "close":
        funds.close(campaign)
    elif change == "reopen":
        funds.reopen(campaign)
    else:
        funds.set_hidden(campaign, change == "hide")
    commit()
    flash(f"{campaign.name}: {funds.described(campaign)}.")
    return redirect(url_for("finance.campaign_edit", section=section, slug=slug), 303)


# --- supporters' pages: moderation ----------------------------------------------------------

PAGE_CHANGES = ("approve", "hide", "show", "close", "reopen")


class StaffPageForm(Form):
    """What staff may change on a supporter's page: its words and target."""

    name = StringField("Title", [InputRequired("Give the page a title."), Length(max=120)])
    story = _markdown("Story", required=True)
    goal = StringField("Target, in pounds", [InputRequired("Enter the target in pounds.")])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        problem = text_problem(self.name.data or "", "The title")
        if problem:
            self.name.errors = [*self.name.errors, problem]
            ok = False
        try:
            self.goal_pence = parse_pounds(self.goal.data or "")
        except AmountError as error:
            self.goal.errors = [*self.goal.errors, str(error)]
            ok = False
        return ok


def _page_state(page) -> str:
    waiting = funds.awaiting(page)
    if page.hidden:
        return "hidden"
    if waiting:
        return f"waiting for {waiting}"
    return f"public, {funds.described(page)}"


@bp.get("/fundraising")
@requires(Permission.EDIT_PAGES)
def fundraising_pages():
    pages = funds.all_fundraisers()
    return render_template(
        "finance/fundraising.html",
        pages=[(page, _page_state(page), totals_for(page)) for page in pages],
        see_addresses=current_user.may(Permission.VIEW_PERSONAL_DATA),
        change=StateForm(formdata=None),
    )


def _staff_page_form(page, form: StaffPageForm, status: int = 200):
    return render_template("finance/fundraiser.html", page=page, form=form), status


@bp.get("/fundraising/<slug>")
@requires(Permission.EDIT_PAGES)
def fundraiser_edit(slug: str):
    page = found_or_404(funds.fundraiser_by_slug(slug))
    form = StaffPageForm(formdata=None)
    form.name.data, form.story.data = page.name, page.story
    form.goal.data = format_gbp(page.goal_pence).removeprefix("£")
    return _staff_page_form(page, form)


@bp.post("/fundraising/<slug>")
@requires(Permission.EDIT_PAGES)
def fundraiser_save(slug: str):
    page = found_or_404(funds.fundraiser_by_slug(slug))
    form = StaffPageForm()
    if not form.validate():
        return _staff_page_form(page, form, 400)
    try:
        with undone_on(funds.FundError):
            funds.change(page, name=form.name.data.strip(), story=form.story.data,
                         goal_pence=form.goal_pence)  # fmt: skip
    except funds.FundError as error:
        form.goal.errors = [str(error)]
        return _staff_page_form(page, form, 400)
    commit()
    flash(f"{page.name} is saved.")
    return redirect(url_for("finance.fundraising_pages"), 303)


@bp.post("/fundraising/<slug>/state")
@requires(Permission.EDIT_PAGES)
def fundraiser_state(slug: str):
    page = found_or_404(funds.fundraiser_by_slug(slug))
    change = _asked_change(PAGE_CHANGES)
    if change == "approve":
        fundraisers.approve(page)
    elif change in ("close", "reopen"):
        (funds.close if change == "close" else funds.reopen)(page)
    else:
        funds.set_hidden(page, change == "hide")
    commit()
    flash(f"{page.name}: {_page_state(page)}.")
    return redirect(url_for("finance.fundraising_pages"), 303)
