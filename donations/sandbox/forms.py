from wtforms import HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from donations.web import Form


class SandboxPaymentForm(Form):
    method = RadioField(
        "How would you like to pay?",
        choices=[SelectChoice("card", "Card"), SelectChoice("bacs", "Bacs Direct Debit")],
        default="card",
        validate_choice=False,
    )
    card_number = StringField("Card number", [Optional(), Length(max=30)])
    expiry = StringField("Expiry date (MM / YY)", [Optional(), Length(max=7)])
    cvc = StringField("Security code (CVC)", [Optional(), Length(max=4)])
    account_holder = StringField("Name of the account holder", [Optional(), Length(max=70)])
    sort_code = StringField("Sort code", [Optional(), Length(max=8)])
    account_number = StringField("Account number", [Optional(), Length(max=8)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.method.data not in ("card", "bacs"):
            self.method.errors.append("Choose card or Bacs Direct Debit.")
            return False
        required = (
            [
                (self.card_number, "Enter the card number."),
                (self.expiry, "Enter the expiry date, like 12 / 30."),
                (self.cvc, "Enter the 3-digit security code."),
            ]
            if self.method.data == "card"
            else [
                (self.account_holder, "Enter the name on the bank account."),
                (self.sort_code, "Enter the sort code, like 10-88-00."),
                (self.account_number, "Enter the 8-digit account number."),
            ]
        )
        for field, message in required:
            if not (field.data or "").strip():
                field.errors.append(message)
                ok = False
        if self.method.data == "card" and self.cvc.data and not self.cvc.data.strip().isdigit():
            self.cvc.errors.append("The security code is 3 digits.")
            ok = False
        return ok


class PortalForm(Form):
    """The sandbox's customer portal: stop a monthly gift, or change its amount."""

    subscription = HiddenField(validators=[InputRequired(), Length(max=64)])
    action = RadioField(
        "What would you like to do?",
        choices=[
            SelectChoice("stop", "Stop"),
            SelectChoice("stop-confirmed", "Yes, stop"),
            SelectChoice("change", "Change the amount"),
        ],
        validate_choice=True,
    )
    amount = StringField("New monthly amount, in pounds", [Optional(), Length(max=20)])
