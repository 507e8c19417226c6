"""The forms a supporter fills in: starting a page, and changing it."""

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FileField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional

from donations.funds import fundraisers
from donations.funds import services as funds
from donations.funds.models import Fundraiser
from donations.money import AmountError, format_gbp, parse_pounds
from donations.text import CONTROL, one_newline_form, text_problem
from donations.web import Form


def _fail(field, message: str) -> bool:
    field.errors = [*field.errors, message]
    return False


class PageForm(Form):
    """What a page says: its title, story, target, event day and photo's words."""

    title = StringField(
        "Your page's title", [InputRequired("Give your page a title."), Length(max=120)]
    )
    story = TextAreaField(
        "Why you are raising money",
        [InputRequired("Say why you are raising money."), Length(max=5000)],
        filters=[one_newline_form],
    )
    target = StringField("Your target, in pounds", [InputRequired("Enter a target in pounds.")])
    event_on = DateField("The day of your event (optional)", [Optional()])
    image_alt = StringField("What your photo shows", [Length(max=250)])
    #: read from request.files by the view (the form reads only text fields); holds its errors
    photo = FileField("A photo (optional)")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in (self.title, self.image_alt):
            problem = text_problem(field.data or "", field.label.text)
            if problem:
                ok = _fail(field, problem)
        if CONTROL.search((self.story.data or "").replace("\t", " ")):
            ok = _fail(self.story, "Your story cannot contain control characters.")
        self.target_pence = None
        try:
            self.target_pence = parse_pounds(self.target.data or "")
        except AmountError as error:
            ok = _fail(self.target, str(error))
        low, high = fundraisers.TARGET_RANGE
        if self.target_pence is not None and not low <= self.target_pence <= high:
            ok = _fail(
                self.target,
                f"Choose a target from {format_gbp(low, drop_zero_pence=True)} "
                f"to {format_gbp(high, drop_zero_pence=True)}.",
            )
        return ok

    def details(self, image_id: int | None = None) -> fundraisers.PageDetails:
        return fundraisers.PageDetails(
            name=self.title.data.strip(),
            story=self.story.data,
            goal_pence=self.target_pence,
            event_on=self.event_on.data,
            image_id=image_id,
            image_alt=(self.image_alt.data or "").strip(),
        )

    def fill(self, fundraiser: Fundraiser) -> None:
        self.title.data = fundraiser.name
        self.story.data = fundraiser.story
        self.target.data = format_gbp(fundraiser.goal_pence).removeprefix("£")
        self.event_on.data = fundraiser.event_on
        self.image_alt.data = fundraiser.image_alt


class StartForm(PageForm):
    """Starting a page: what it is for, who runs it, and its web address."""

    given_to = RadioField("What are you raising money for?", validate_choice=False)
    first_name = StringField(
        "First name", [InputRequired("Enter your first name."), Length(max=35)]
    )
    last_name = StringField("Last name", [InputRequired("Enter your last name."), Length(max=35)])
    email = EmailField(
        "E-mail address",
        [
            InputRequired("Enter your e-mail address."),
            Email("Enter an e-mail address like name@example.org."),
            Length(max=254),
        ],
    )
    slug = StringField(
        "Your page's web address", [InputRequired("Choose a web address."), Length(max=60)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [SelectChoice(f"fund:{f.slug}", f"The {f.name}") for f in funds.open_funds()]
        choices += [
            SelectChoice(f"appeal:{a.slug}", f"{a.name} (for the {a.fund.name})")
            for a in funds.open_appeals()
        ]
        self.given_to.choices = choices

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in (self.first_name, self.last_name):
            problem = text_problem(field.data or "", field.label.text)
            if problem:
                ok = _fail(field, problem)
        if self.chosen() is None:
            ok = _fail(self.given_to, "Choose what you are raising money for.")
        problem = funds.slug_problem((self.slug.data or "").strip(), Fundraiser)
        if problem:
            ok = _fail(self.slug, problem)
        return ok

    def chosen(self):
        """The open fund or appeal chosen, or None."""
        kind, _, slug = (self.given_to.data or "").partition(":")
        if kind not in ("fund", "appeal"):
            return None
        found = funds.public_by_slug(kind, slug)
        if found is None or funds.status_of(found) is not funds.Status.OPEN:
            return None
        return found


class EditForm(PageForm):
    notify_gifts = BooleanField("E-mail me when someone gives to my page")


class LinkForm(Form):
    email = EmailField(
        "The e-mail address you started your page with",
        [
            InputRequired("Enter your e-mail address."),
            Email("Enter an e-mail address like name@example.org."),
            Length(max=254),
        ],
    )
