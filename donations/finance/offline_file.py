"""Offline gifts imported from a CSV file, all rows or none, with every bad row named. A file
as UK banks and Excel write it is read as it is (UTF-8 or Windows-1252, commas or
semicolons, UK dates); when its columns are not named as the template names them, staff
choose which of its columns is which before anything is read."""

import csv
import io
import itertools
import re
from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from donations.finance.guard import bp, requires
from donations.finance.offline import (
    COLUMNS,
    EXAMPLE,
    LABELS,
    MAX_ROWS,
    REQUIRED,
    clash,
    read_gift,
)
from donations.gifts import offline
from donations.staff import audit
from donations.staff.audit import Action
from donations.staff.roles import Permission
from donations.transaction import commit
from donations.uk_time import uk_today
from donations.web import Form


class ImportForm(Form):
    """Only the CSRF token; the file is read from request.files."""


@bp.get("/offline/template.csv")
@requires(Permission.RECORD_OFFLINE_GIFTS)
def offline_template():
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(EXAMPLE)
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="offline-gifts-template.csv"'},
    )


def _reader(text: str) -> csv.DictReader:
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    return csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def header_of(data: bytes) -> list[str] | None:
    """The names in the file's first row, or None when it has none that can be read."""
    text = decoded(data)
    if not text or not text.strip():
        return None
    try:
        return [name.strip() for name in _reader(text).fieldnames or []]
    except csv.Error:
        return None


def read_file(data: bytes, today: date, columns: dict[str, str] | None = None):
    """Every row of an upload: (gifts, [(row number, field, problem)]); row 1 is the header.
    `columns` says which of the file's columns holds each of ours (by default, those named
    as the template names them)."""
    text = decoded(data)
    if text is None:
        return [], [(0, "file", NOT_TEXT)]
    if not text.strip():
        return [], [(0, "file", "The file is empty.")]
    reader = _reader(text)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error:
        return [], [(1, "file", UNREADABLE)]
    reader.fieldnames = header
    if columns is None:
        columns = {name: name for name in COLUMNS if name in header}
    return _read_rows(reader, columns, today)


NOT_TEXT = "Save the file as CSV (UTF-8, or Windows' own Western European) and try again."


def decoded(data: bytes) -> str | None:
    """The file's text: UTF-8, with or without Excel's byte-order mark, else Windows-1252 (what
    Excel and UK banks write on Windows); None when it is neither. The two are told apart by
    whether the bytes are valid UTF-8 (text in Windows-1252 with any letter beyond ASCII
    almost never is), not guessed among every encoding there is."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


#: a quote never closed, or a cell longer than the csv module reads (128 KB)
UNREADABLE = (
    "This row cannot be read: a quotation mark is not closed, or a cell is far too long. "
    "Check the file in a spreadsheet and save it as CSV again."
)


def _rows(reader: csv.DictReader):
    """(row number, row) for each row after the header; (number, None) for one that cannot
    be read, after which nothing more is read."""
    for number in itertools.count(2):
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield number, None
            return
        yield number, row


def _read_rows(reader: csv.DictReader, columns: dict[str, str], today: date):
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        return [], [
            (1, "file", "The first row must name the columns; missing: " + ", ".join(missing))
        ]
    gifts, problems, seen = [], [], {}
    for number, row in _rows(reader):
        if row is None:
            return [], [(number, "file", UNREADABLE)]
        if number - 1 > MAX_ROWS:
            return [], [(number, "file", f"Import at most {MAX_ROWS} gifts at a time.")]
        if None in row:
            problems.append((number, "file", "This row has more cells than the first row."))
            continue
        if not any((value or "").strip() for value in row.values()):
            continue
        ours = {name: row.get(theirs) or "" for name, theirs in columns.items()}
        gift, found = read_gift(ours, today)
        problems.extend(
            (number, LABELS.get(field, field), message) for field, message in found.items()
        )
        if gift is None:
            continue
        if gift.receipt_reference in seen:
            problems.append(
                (
                    number,
                    LABELS["receipt_reference"],
                    f"The same as row {seen[gift.receipt_reference]}.",
                )
            )
        elif found := clash(gift):
            problems.append((number, LABELS["receipt_reference"], found))
        seen.setdefault(gift.receipt_reference, number)
        gifts.append(gift)
    if not gifts and not problems:
        problems.append((0, "file", "The file holds no gifts."))
    return gifts, problems


# --- choosing which column is which ---------------------------------------------------------

#: other names a bank's or a spreadsheet's column goes by, as the template's column
OTHER_NAMES = {
    "date": "received_on",
    "datereceived": "received_on",
    "received": "received_on",
    "value": "amount",
    "amountgbp": "amount",
    "reference": "receipt_reference",
    "ref": "receipt_reference",
    "receipt": "receipt_reference",
    "forename": "first_name",
    "firstname": "first_name",
    "givenname": "first_name",
    "surname": "last_name",
    "lastname": "last_name",
    "familyname": "last_name",
    "emailaddress": "email",
    "email": "email",
    "paymentmethod": "method",
    "method": "method",
    "type": "method",
    "giftaid": "gift_aid",
    "housenumber": "house",
    "housenameornumber": "house",
    "postcode": "postcode",
    "postalcode": "postcode",
    "campaign": "fund",
    "fundname": "fund",
}


def _squeezed(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def guessed_columns(header: list[str]) -> dict[str, str]:
    """Which of the file's columns look like each of ours: the template's own name, the
    form's label, or a name banks use. A file column is guessed for one of ours at most."""
    known = {
        **OTHER_NAMES,
        **{_squeezed(LABELS[name]): name for name in COLUMNS},
        **{_squeezed(name): name for name in COLUMNS},
    }
    guessed: dict[str, str] = {}
    for theirs in header:
        ours = known.get(_squeezed(theirs))
        if ours is not None and ours not in guessed:
            guessed[ours] = theirs
    return guessed


def needs_choosing(header: list[str]) -> bool:
    """Whether staff should say which column is which: a column the template requires is
    not named as it names it, or the file has a column it does not know (which would
    otherwise be left unread without a word)."""
    named = [name for name in header if name]
    return any(name not in named for name in REQUIRED) or any(name not in COLUMNS for name in named)


def chosen_columns(form, header: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Staff's choices from the column-choosing form: (our column -> theirs, problems by
    our column)."""
    columns: dict[str, str] = {}
    problems: dict[str, str] = {}
    taken: dict[str, str] = {}
    for name in COLUMNS:
        theirs = form.get(f"column-{name}", "")
        if not theirs:
            if name in REQUIRED:
                problems[name] = f"Choose the column that holds “{LABELS[name]}”."
            continue
        if theirs not in header:
            problems[name] = "Choose one of the file's own columns."
        elif theirs in taken:
            problems[name] = f"“{theirs}” is already chosen for {LABELS[taken[theirs]]}."
        else:
            columns[name], taken[theirs] = theirs, name
    return columns, problems


def _carrier() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="offline-import-file")


def carried(text: str) -> str:
    """The file's text, signed (and compressed) to be sent back with the chosen columns."""
    return _carrier().dumps(text)


def uncarried(token: str) -> str | None:
    try:
        text = _carrier().loads(token)
    except BadSignature:
        return None
    return text if isinstance(text, str) else None


def _samples(data: bytes, header: list[str]) -> dict[str, str]:
    """The first row's value under each of the file's columns, to show beside its name."""
    text = decoded(data) or ""
    reader = _reader(text)
    try:
        reader.fieldnames = [name.strip() for name in reader.fieldnames or []]
        first = next(reader, None) or {}
    except csv.Error:
        first = {}
    return {name: (first.get(name) or "")[:40] for name in header}


def _columns_page(data: bytes, name: str, header, columns, *, problems=None, status: int = 200):
    return (
        render_template(
            "finance/offline_columns.html",
            form=ImportForm(formdata=None),
            name=name,
            header=header,
            samples=_samples(data, header),
            columns=columns,
            problems=problems or {},
            ours=COLUMNS,
            labels=LABELS,
            required=REQUIRED,
            carried=carried(decoded(data) or ""),
        ),
        status,
    )


# --- the pages --------------------------------------------------------------------------------


def _import_page(problems=(), status: int = 200, name: str | None = None):
    return (
        render_template(
            "finance/offline_import.html",
            form=ImportForm(formdata=None),
            problems=problems,
            name=name,
            required=REQUIRED,
        ),
        status,
    )


@bp.get("/offline/import")
@requires(Permission.RECORD_OFFLINE_GIFTS)
def offline_import():
    return _import_page()


@bp.post("/offline/import")
@requires(Permission.RECORD_OFFLINE_GIFTS)
def offline_import_file():
    form = ImportForm()
    if not form.validate():
        return _import_page([(0, "form", "The form had expired; please send it again.")], 400)
    if "file_text" in request.form:
        return _import_columns_chosen()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page([(0, "file", "Choose a CSV file to import.")], 400)
    data = upload.read()
    header = header_of(data)
    if header is not None and needs_choosing(header):
        return _columns_page(data, upload.filename, header, guessed_columns(header))
    return _import(data, upload.filename, None)


def _import_columns_chosen():
    text = uncarried(request.form["file_text"])
    name = (request.form.get("file_name") or "the file")[:200]
    if text is None:
        return _import_page([(0, "file", "The file was lost on the way: choose it again.")], 400)
    data = text.encode("utf-8")
    header = header_of(data) or []
    columns, problems = chosen_columns(request.form, header)
    if problems:
        return _columns_page(data, name, header, columns, problems=problems, status=400)
    return _import(data, name, columns)


def _import(data: bytes, name: str, columns: dict[str, str] | None):
    gifts, problems = read_file(data, uk_today(), columns)
    if problems:
        return _import_page(problems, 400, name)
    new = sum(offline.record(gift)[1] for gift in gifts)
    audit.record(Action.OFFLINE_IMPORT, file=name, rows=len(gifts), recorded=new)
    commit()
    skipped = len(gifts) - new
    flash(
        f"Imported {new} gift{'s' if new != 1 else ''} from {name}."
        + (f" {skipped} were already recorded and were left as they were." if skipped else "")
    )
    return redirect(url_for("finance.donations", channel="offline"), 303)
