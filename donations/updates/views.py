"""The reader's side of research updates, with no account and no password: one-click
unsubscribe (RFC 8058: a POST to the link in the `List-Unsubscribe` header stops them at
once, with nothing to fill in) and the preferences page (a signed link in every update)."""

from flask import Blueprint, render_template, request, url_for
from wtforms import RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from donations.extensions import csrf
from donations.funds import services as funds
from donations.gifts.consent import PREFERENCES_WORDING, WORDINGS
from donations.gifts.models import Donor
from donations.transaction import commit
from donations.updates import consent, links, services
from donations.updates.models import ConsentSource
from donations.web import Form

bp = Blueprint("updates", __name__)


def masked(email: str) -> str:
    """Enough of an address for its owner to know it, and little for anyone else."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}{'•' * 3}@{domain}"


def _unknown_link():
    return render_template("updates/link_unknown.html"), 404


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    donor = links.donor_from(token, links.UNSUBSCRIBE)
    if donor is None:
        return _unknown_link()
    return render_template(
        "updates/unsubscribe.html",
        address=masked(donor.email),
        receiving=consent.consenting(donor.id),
        done=False,
        preferences_url=_preferences_url(donor),
    )


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe_now(token: str):
    """One click: the mail program POSTs `List-Unsubscribe=One-Click`, or the reader presses
    the page's button. The link itself is the proof; it takes effect at once."""
    donor = links.donor_from(token, links.UNSUBSCRIBE)
    if donor is None:
        return _unknown_link()
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    consent.withdraw(
        donor, ConsentSource.ONE_CLICK if one_click else ConsentSource.UNSUBSCRIBE_PAGE
    )
    commit()
    return render_template(
        "updates/unsubscribe.html",
        address=masked(donor.email),
        receiving=False,
        done=True,
        preferences_url=_preferences_url(donor),
    )


def _preferences_url(donor: Donor) -> str:
    return url_for("updates.preferences", token=links.token(donor, links.PREFERENCES))


class PreferencesForm(Form):
    receive = RadioField(
        "Research updates by e-mail",
        choices=[
            SelectChoice("yes", WORDINGS[PREFERENCES_WORDING]),
            SelectChoice("no", "No, stop all research updates"),
        ],
    )
    funds = SelectMultipleField(
        "The funds you hear about",
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.funds.choices = [SelectChoice(f.id, f.name) for f in offered]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.receive.data not in ("yes", "no"):
            self.receive.errors = ["Choose whether we may e-mail you research updates."]
            ok = False
        return ok


def _preferences_page(donor: Donor, form: PreferencesForm, saved: bool = False, status=200):
    return render_template(
        "updates/preferences.html", form=form, address=masked(donor.email), saved=saved
    ), status


@bp.route("/updates/preferences/<token>", methods=["GET", "POST"])
def preferences(token: str):
    donor = links.donor_from(token, links.PREFERENCES)
    if donor is None:
        return _unknown_link()
    offered = funds.public_funds()
    if request.method == "GET":
        form = PreferencesForm(formdata=None, offered=offered)
        form.receive.data = "yes" if consent.consenting(donor.id) else "no"
        form.funds.data = [f.id for f in offered if services.wants_fund(donor.id, f.id)]
        return _preferences_page(donor, form)
    form = PreferencesForm(offered=offered)
    if not form.validate():
        return _preferences_page(donor, form, status=400)
    if form.receive.data == "no":
        consent.withdraw(donor, ConsentSource.PREFERENCES)
    else:
        if not consent.consenting(donor.id):
            consent.record(
                donor, True, ConsentSource.PREFERENCES, wording_version=PREFERENCES_WORDING
            )
        consent.choose_funds(donor, set(form.funds.data or []), offered)
    commit()
    return _preferences_page(donor, form, saved=True)
