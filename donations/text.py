"""What typed text may hold: the rules every form (and import) shares."""

import re

#: something a browser would read as a tag; "<3" and "a > b" are fine
MARKUP = re.compile(r"<[A-Za-z/!?]")
#: line breaks, including Unicode's own
LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x85\u2028\u2029]")
#: control characters other than a new line, and the marks that reverse text's direction
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def text_problem(value: str, what: str, *, single_line: bool = True) -> str | None:
    """Why this cannot be plain text (on a single line, unless it may have several), or None
    when it can: the one rule every form and import applies."""
    if single_line and LINE_BREAK.search(value):
        return f"{what} must be on a single line."
    if MARKUP.search(value) or CONTROL.search(value):
        return f"{what} cannot contain HTML or control characters."
    return None


def one_newline_form(text: str | None) -> str | None:
    """Browsers send a textarea's new lines as CR LF; keep them as LF."""
    return text.replace("\r\n", "\n") if isinstance(text, str) else text


def line_problem(value: str, what: str) -> str | None:
    """Why this cannot be a single line of plain text, or None when it can."""
    return text_problem(value, what)


#: what a spreadsheet would read as the start of a formula: the ASCII signs, their full-width
#: forms (typed with an East Asian keyboard, read as formulas by some spreadsheets), and the
#: invisible characters that could hide one (zero-width spaces and joiners, the BOM)
FORMULA_STARTS = (
    *("=", "+", "-", "@", "\t", "\r"),
    *("\uff1d", "\uff0b", "\uff0d", "\uff20"),
    *("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"),
)


def neutralised(value) -> str:
    """Text no spreadsheet will run: one that starts like a formula gets a leading '. (The
    exports do the same in SQL, from FORMULA_STARTS.)"""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
