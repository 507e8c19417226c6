"""Research updates, written by staff (admins and editors): a draft, its preview, a test
copy to oneself, then publishing to the fund's page and feed and, if chosen, e-mail to the
donors who asked (`updates.services`; the outbox sends them at their pace). Views stay thin."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, FileField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from donations.finance.guard import bp, requires
from donations.funds import services as funds
from donations.images import services as images
from donations.markup import to_html
from donations.staff.roles import Permission
from donations.text import CONTROL, one_newline_form, text_problem
from donations.transaction import commit, undone_on
from donations.updates import services as updates
from donations.updates.models import ResearchUpdate
from donations.web import Form, accepts_uploads, found_or_404


class UpdateForm(Form):
    fund = RadioField("The fund it is about", validate_choice=False)
    title = StringField("Title", [InputRequired("Give the update a title."), Length(max=150)])
    body = TextAreaField(
        "The update", [InputRequired("Write the update.")], filters=[one_newline_form]
    )
    image_alt = StringField(
        "What the image shows (for people who cannot see it)", [Length(max=250)]
    )
    remove_image = BooleanField("Remove the image")
    #: read from request.files by the view; holds its errors
    image = FileField("Image")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fund.choices = [SelectChoice(f.slug, f.name) for f in funds.all_funds()]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in (self.title, self.image_alt):
            problem = text_problem(field.data or "", field.label.text.split(" (")[0])
            if problem:
                ok = self._fail(field, problem)
        if CONTROL.search((self.body.data or "").replace("\t", " ")):
            ok = self._fail(self.body, "The update cannot contain control characters.")
        if funds.by_slug(self.fund.data) is None:
            ok = self._fail(self.fund, "Choose the fund the update is about.")
        return ok

    def _fail(self, field, message: str) -> bool:
        field.errors = [*field.errors, message]
        return False


class ActionForm(Form):
    """The buttons' form: its CSRF token (checked for every POST by CSRFProtect) and, to
    publish, whether to e-mail too."""

    send = BooleanField("Also e-mail it to the donors who asked for updates")


def _page(form: UpdateForm, found: ResearchUpdate | None, status: int = 200, preview=None):
    """The update's page; who would receive it is counted (one query over every consenting
    donor) only for a saved update whose e-mail is still to send, where the page says it."""
    to_send = found is not None and found.emailed_at is None
    return render_template(
        "finance/update.html",
        form=form,
        update=found,
        image=images.image(found.image_id) if found else None,
        preview=preview,
        action=ActionForm(formdata=None),
        recipients=updates.recipient_count(found.fund_id) if to_send else None,
        progress=updates.progress(found) if found and found.emailed_at else None,
    ), status


@bp.get("/updates")
@requires(Permission.EDIT_PAGES)
def updates_list():
    listed = updates.all_updates()
    return render_template(
        "finance/updates.html",
        updates=[(u, updates.progress(u) if u.emailed_at else None) for u in listed],
    )


@bp.get("/updates/new")
@requires(Permission.EDIT_PAGES)
def update_new():
    form = UpdateForm(formdata=None)
    form.fund.data = request.args.get("fund")
    return _page(form, None)


@bp.get("/updates/<id:update_id>")
@requires(Permission.EDIT_PAGES)
def update_edit(update_id: int):
    found = found_or_404(updates.by_id(update_id))
    form = UpdateForm(formdata=None)
    form.fund.data = found.fund.slug
    form.title.data, form.body.data, form.image_alt.data = found.title, found.body, found.image_alt
    return _page(form, found)


def _image_change(form: UpdateForm, found: ResearchUpdate | None) -> dict:
    """The image sent (stored: ImageRefused says why not), or its removal; the alt text."""
    values = {"image_alt": (form.image_alt.data or "").strip()}
    stored = images.store_upload(request.files.get("image"))
    if stored is not None:
        values["image_id"] = stored.id
    elif form.remove_image.data:
        values["image_id"], values["image_alt"] = None, ""
    keeps_image = values.get("image_id", found.image_id if found else None) is not None
    if keeps_image and not values["image_alt"]:
        raise updates.UpdateError(images.ALT_NEEDED)
    return values


@bp.post("/updates/new", endpoint="update_create")
@bp.post("/updates/<id:update_id>", endpoint="update_save")
@requires(Permission.EDIT_PAGES)
@accepts_uploads
def update_save(update_id: int | None = None):
    found = found_or_404(updates.by_id(update_id)) if update_id else None
    form = UpdateForm()
    if not form.validate():
        return _page(form, found, 400)
    if request.form.get("action") == "preview":
        return _page(form, found, preview=to_html(form.body.data))
    replaced = found.image_id if found else None
    try:
        with undone_on(images.ImageRefused, updates.UpdateError):
            values = _image_change(form, found)
            saved = updates.save(
                found,
                fund_id=funds.by_slug(form.fund.data).id,
                title=form.title.data.strip(),
                body=form.body.data,
                **values,
            )
    except images.ImageRefused as error:
        form.image.errors = [str(error)]
        return _page(form, found, 400)
    except updates.UpdateError as error:
        form.image_alt.errors = [str(error)]
        return _page(form, found, 400)
    if replaced is not None and saved.image_id != replaced:
        images.forget(replaced)
    commit()
    flash(f"“{saved.title}” is saved{' and shown on the site' if saved.published_at else ''}.")
    return redirect(url_for("finance.update_edit", update_id=saved.id), 303)


@bp.post("/updates/<id:update_id>/test")
@requires(Permission.EDIT_PAGES)
def update_test(update_id: int):
    found = found_or_404(updates.by_id(update_id))
    updates.send_test(found, current_user._get_current_object())
    commit()
    flash(f"A test copy is on its way to {current_user.email}.")
    return redirect(url_for("finance.update_edit", update_id=found.id), 303)


@bp.post("/updates/<id:update_id>/publish")
@requires(Permission.EDIT_PAGES)
def update_publish(update_id: int):
    found = found_or_404(updates.by_id(update_id))
    send = ActionForm().send.data
    try:
        with undone_on(updates.UpdateError):
            queued = updates.publish(found, send=send)
    except updates.UpdateError as error:
        abort(400, description=str(error))
    commit()
    emailed = f" Its e-mail is queued for {queued:,} donors." if send else ""
    flash(f"“{found.title}” is published on the {found.fund.name}'s page.{emailed}")
    return redirect(url_for("finance.update_edit", update_id=found.id), 303)
