"""The donation form: docs/CONTRACT.md's field names, every error said beside its field."""

import re
import secrets

from flask import current_app
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from donations.extensions import length_of
from donations.gift_aid.address import POSTCODE_TYPED_MAX, home_address_problems
from donations.gifts.consent import FORM_WORDING, WORDINGS
from donations.gifts.details import GIFT_AID_ONLY, TYPED, GiftDetails
from donations.gifts.models import Donation, Frequency
from donations.gifts.services import fee_cover_for
from donations.giving.tiles import FOR_A, GIVEN, tile_values
from donations.money import AmountError, format_gbp, parse_gift
from donations.text import one_newline_form, text_problem
from donations.web import Form

#: what secrets.token_urlsafe writes
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,48}\Z")
RELOAD = "Please reload the page and try again."


def choice_values(field) -> set[str]:
    return {choice.value for choice in field.choices}


def _pounds(tile: str) -> str:
    return format_gbp(int(tile) * 100, drop_zero_pence=True)


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def _max(length: int, what: str) -> Length:
    return Length(max=length, message=f"{what} must be {length} characters or fewer.")


def amount_choices() -> list[SelectChoice]:
    """Every preset of every frequency, and "other" (made once per app, from its settings)."""
    made = current_app.extensions.get("amount_choices")
    if made is None:
        config = current_app.config
        presets = sorted(
            {
                *config["PRESET_AMOUNTS_PENCE"],
                *config["PRESET_MONTHLY_PENCE"],
                *config["PRESET_ANNUAL_PENCE"],
            }
        )
        made = current_app.extensions["amount_choices"] = [
            *(SelectChoice(str(p // 100), format_gbp(p, drop_zero_pence=True)) for p in presets),
            SelectChoice("other", "Another amount"),
        ]
    return made


class DonationForm(Form):
    fund = RadioField("Which research would you like to support?", validate_choice=False)
    frequency = RadioField(
        "How often would you like to give?",
        choices=[
            SelectChoice(Frequency.ONE_OFF, "Once"),
            SelectChoice(Frequency.MONTHLY, "Every month"),
            SelectChoice(Frequency.ANNUAL, "Every year"),
        ],
        default=Frequency.ONE_OFF,
        validate_choice=False,
    )
    amount = RadioField("How much would you like to give?", validate_choice=False)
    other_amount = StringField("Another amount, in pounds", [_max(20, "The amount")])
    #: the frequency whose amount tiles the donor saw (without JavaScript, choosing another
    #: frequency does not change the tiles shown, so a tile may belong to the other one)
    amounts_for = HiddenField()
    #: the appeal the gift is given through, if any; the fund follows from it
    appeal = HiddenField()
    #: the supporter's page the gift is given through, if any; its appeal and fund follow
    fundraiser = HiddenField()
    title = StringField(
        "Title (optional)", [Optional(), _max(length_of(Donation.title), "Your title")]
    )
    first_name = StringField(
        "First name",
        [
            DataRequired("Enter your first name."),
            _max(length_of(Donation.first_name), "Your first name"),
        ],
    )
    last_name = StringField(
        "Last name",
        [
            DataRequired("Enter your last name."),
            _max(length_of(Donation.last_name), "Your last name"),
        ],
    )
    email = EmailField(
        "Email address",
        [
            DataRequired("Enter your email address, so we can send your receipt."),
            _max(length_of(Donation.email), "Your email address"),
            Email("Enter an email address in the right form, like name@example.com."),
        ],
    )
    gift_aid = BooleanField("Yes, I want to Gift Aid my donation")  # the label: the declaration
    house = StringField(
        "House name or number", [_max(length_of(Donation.house), "The house name or number")]
    )
    address = StringField(
        "Street, town and country", [_max(length_of(Donation.address), "The address")]
    )
    postcode = StringField("Postcode", [_max(POSTCODE_TYPED_MAX, "The postcode")])
    overseas = BooleanField("I live outside the UK")
    anonymous = BooleanField("Keep my gift anonymous on the fund's page")
    display_name = StringField(
        "Name to show on the fund's page (optional)",
        [_max(length_of(Donation.display_name), "The name to show")],
    )
    message = TextAreaField(
        "A message of support (optional)",
        [_max(length_of(Donation.message), "Your message")],
        filters=[one_newline_form],
    )
    cover_fees = BooleanField("Add a little to cover the fees")
    marketing_consent = BooleanField(WORDINGS[FORM_WORDING])
    form_token = HiddenField(
        validators=[InputRequired(RELOAD), Regexp(TOKEN_SHAPE, message=RELOAD)]
    )

    #: names, addresses and the name shown publicly: one line each
    SINGLE_LINE = (
        "title",
        "first_name",
        "last_name",
        "house",
        "address",
        "postcode",
        "display_name",
    )
    MULTI_LINE = ("message",)

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fund.choices = [SelectChoice(fund.slug, fund.name) for fund in funds]
        self.amount.choices = amount_choices()
        self.gift_pence: int | None = None
        self.postcode_normalised: str | None = None

    # --- validation across fields -------------------------------------------------------
    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        checks = (
            self._check_markup,
            self._check_fund,
            self._check_frequency,
            self._check_amount,
            self._check_gift_aid,
        )
        for check in checks:
            ok = check() and ok
        return ok

    def _fail(self, field, message: str) -> bool:
        field.errors = [*field.errors, message]
        return False

    def _check_markup(self) -> bool:
        ok = True
        for name in self.SINGLE_LINE + self.MULTI_LINE:
            field = getattr(self, name)
            value = field.data or ""
            what = field.label.text.split(" (")[0]
            problem = text_problem(value, what, single_line=name in self.SINGLE_LINE)
            if problem is not None:
                ok = self._fail(field, problem)
        return ok

    def _check_fund(self) -> bool:
        if self.fund.data not in choice_values(self.fund):
            return self._fail(self.fund, "Choose which research you would like to support.")
        return True

    def _check_amount(self) -> bool:
        if self.amount.data == "other":
            try:
                self.gift_pence = parse_gift(self.other_amount.data or "")
            except AmountError as error:
                return self._fail(self.other_amount, str(error))
            return True
        if self.frequency.data not in choice_values(self.frequency):
            return False  # said beside the frequency; no tile can be judged without it
        problem = self._tile_problem()
        if problem:
            return self._fail_amount(problem)
        if (self.other_amount.data or "").strip():
            return self._fail(
                self.amount,
                f"You chose {_pounds(self.amount.data)} and also typed another amount. "
                "Choose the amount you want to give: the tile, or 'Another amount'.",
            )
        self.gift_pence = int(self.amount.data) * 100
        return True

    def _tile_problem(self) -> str | None:
        """Why the tile chosen is not one of the chosen frequency's, if it is not: never
        guess which amount a donor meant."""
        choice, frequency, seen = self.amount.data, self.frequency.data, self.amounts_for.data
        if choice not in choice_values(self.amount):
            return "Choose an amount, or choose another amount and type it in."
        if seen and seen != frequency:
            return (
                f"The amounts you saw were for {FOR_A.get(seen, 'another kind of gift')}, and "
                f"you chose to give {GIVEN[frequency]}. Choose an amount for {FOR_A[frequency]}."
            )
        if choice not in tile_values(frequency):
            return (
                f"{_pounds(choice)} is not one of the amounts for {FOR_A[frequency]}. "
                "Choose one, or choose another amount."
            )
        return None

    def _fail_amount(self, message: str) -> bool:
        """Refuse a tile that is not one of the chosen frequency's: the donor chooses again
        from the right tiles, none chosen for them."""
        self.amount.data = None
        self.amounts_for.data = self.frequency.data
        return self._fail(self.amount, message)

    def _check_frequency(self) -> bool:
        if self.frequency.data not in choice_values(self.frequency):
            return self._fail(self.frequency, "Choose whether to give once or every month.")
        return True

    def _check_gift_aid(self) -> bool:
        if not self.gift_aid.data:
            return True
        problems, postcode = home_address_problems(
            self.house.data, self.address.data, self.postcode.data, bool(self.overseas.data)
        )
        for name, message in problems.items():
            self._fail(getattr(self, name), message)
        if postcode is not None:
            self.postcode_normalised = self.postcode.data = postcode
        return not problems

    # --- the validated request ----------------------------------------------------------
    def fee_cover_pence(self) -> int:
        if not self.cover_fees.data or self.gift_pence is None:
            return 0
        return fee_cover_for(self.gift_pence)

    def details(self) -> GiftDetails:
        """The validated request, one value per GiftDetails field of the same name."""
        gift_aid = bool(self.gift_aid.data)
        typed = {name: self._clean(getattr(self, name)) for name in TYPED}
        typed["postcode"] = self.postcode_normalised
        if not gift_aid:
            typed.update(dict.fromkeys(GIFT_AID_ONLY), overseas=False)
        return GiftDetails(
            amount_pence=self.gift_pence,
            fee_cover_pence=self.fee_cover_pence(),
            form_token=self.form_token.data,
            **typed,
        )

    @staticmethod
    def _clean(field):
        if isinstance(field, BooleanField):
            return bool(field.data)
        if isinstance(field, RadioField):
            return field.data
        if isinstance(field, EmailField):
            return (field.data or "").strip().lower() or None
        return (field.data or "").strip() or None
