"""Thank-you letters for offline gifts: choose a period, see how many letters wait, print
them once as a PDF (one page each); an earlier batch can be downloaded again."""

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from donations.extensions import db
from donations.finance.guard import bp, requires
from donations.receipts import letters
from donations.receipts.models import LetterBatch
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.transaction import commit
from donations.uk_time import uk_today
from donations.web import Form, found_or_404


class LettersForm(Form):
    """Only the CSRF token; the period is read from the form's dates."""


def _period(values) -> tuple[date, date, str | None]:
    today = uk_today()
    try:
        first = date.fromisoformat(values.get("from") or today.replace(day=1).isoformat())
        last = date.fromisoformat(values.get("to") or today.isoformat())
    except ValueError:
        return today.replace(day=1), today, "Write the dates as YYYY-MM-DD."
    if last < first:
        return first, last, "The last day must be the same as or after the first."
    return first, last, None


def _page(first: date, last: date, problem: str | None, status: int = 200):
    return render_template(
        "finance/letters.html",
        form=LettersForm(formdata=None),
        start=first,
        end=last,
        problem=problem,
        waiting=[] if problem else letters.waiting(first, last),
        batches=letters.batches(),
    ), status


@bp.get("/offline/letters")
@requires(Permission.RECORD_OFFLINE_GIFTS)
def offline_letters():
    first, last, problem = _period(request.args)
    return _page(first, last, problem, 400 if problem else 200)


@bp.post("/offline/letters")
@requires(Permission.RECORD_OFFLINE_GIFTS)
def offline_letters_make():
    form = LettersForm()
    first, last, problem = _period(request.form)
    if not form.validate():
        problem = "The form had expired; please send it again."
    if problem:
        return _page(first, last, problem, 400)
    batch = letters.make_batch(first, last, current_user.email)
    if batch is None:
        flash("No letters wait in that period: every gift is thanked already.")
        return redirect(url_for("finance.offline_letters", **{"from": first, "to": last}), 303)
    audit.record(Action.LETTERS_PRINTED, subject=f"letters {batch.id}", start=first, end=last)
    commit()
    left = len(letters.waiting(first, last))
    more = f" {left} more wait: make another batch for them." if left else ""
    flash(f"Letters batch {batch.id} is ready: download its PDF below and print it.{more}")
    return redirect(url_for("finance.offline_letters", **{"from": first, "to": last}), 303)


@bp.get("/offline/letters/<id:batch_id>.pdf")
@requires(Permission.RECORD_OFFLINE_GIFTS)
def offline_letters_pdf(batch_id: int):
    batch = found_or_404(db.session.get(LetterBatch, batch_id))
    try:
        content = letters.pdf(batch)
    except letters.LettersUnavailable:
        return Response(
            "Letters cannot be drawn on this server: WeasyPrint needs the Pango library "
            "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0).\n",
            503,
            mimetype="text/plain",
        )
    audit.record(Action.EXPORT, format="letters", batch=batch.id)
    commit()
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="thank-you-letters-{batch.id}.pdf"'},
    )
