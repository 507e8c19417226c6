"""Supporters' names and messages, approved or rejected before any appears on a fund page
(the same decision as `flask messages approve|reject`)."""

from flask import abort, flash, redirect, render_template, request, url_for

from donations.finance.guard import bp, requires
from donations.gifts import moderation
from donations.staff.roles import Permission
from donations.transaction import commit, undone_on
from donations.web import Form

DECISIONS = {"approve": True, "reject": False}


class DecisionForm(Form):
    """Only the CSRF token: the decision is the button pressed."""


@bp.get("/messages")
@requires(Permission.MODERATE)
def messages():
    return render_template(
        "finance/messages.html",
        waiting=moderation.awaiting_decision(),
        form=DecisionForm(formdata=None),
    )


@bp.post("/messages/<reference>")
@requires(Permission.MODERATE)
def messages_decide(reference: str):
    form = DecisionForm()
    decision = request.form.get("decision")
    if decision not in DECISIONS:
        abort(400, description="Choose approve or reject.")
    if not form.validate():
        abort(400, description="The form had expired; please try again.")
    try:
        with undone_on(moderation.ModerationError):
            moderation.moderate(reference, DECISIONS[decision])
    except moderation.ModerationError as error:
        abort(404, description=str(error))
    commit()
    flash(f"{reference}: {'shown on the fund page' if DECISIONS[decision] else 'never shown'}.")
    return redirect(url_for("finance.messages"), 303)
