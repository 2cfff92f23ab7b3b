"""LinkedIn's Connections.csv, as members really download it (pure).

The export starts with a few lines of notes ("Notes:", a paragraph about missing email
addresses, a blank line) before the header, so the header is searched for, not skipped by
count. Columns: First Name, Last Name, URL, Email Address, Company, Position, Connected On
(older exports have no URL). Dates look like `15 Mar 2024`. Most emails are empty: LinkedIn
includes only those its members chose to share.
"""

import re
from collections.abc import Iterator
from datetime import date

from backend.transfer import textfile
from backend.transfer.drafts import CellError, Draft, ParsedFile, RowIssue, clean, fitted
from backend.transfer.drafts import text_or_none as cell

# The file's column names (compared ignoring case and blanks) and what each becomes.
COLUMNS = {
    "first name": "first_name",
    "last name": "last_name",
    "url": "linkedin_url",
    "profile url": "linkedin_url",
    "email address": "email",
    "company": "organization",
    "position": "title",
    "connected on": "connected_on",
}
# The header must be among the first records; past that it is not a LinkedIn export.
HEADER_WITHIN = 50

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_LINKEDIN_DATE = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*\.?[ -](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_connected_on(value: str) -> date:
    """`15 Mar 2024` (LinkedIn's form; also `15-Mar-2024`, `15 March 2024`) or `2024-03-15`."""
    text = value.strip()
    found = _LINKEDIN_DATE.match(text)
    if found and found.group(2).lower() in _MONTHS:
        day, month, year = int(found.group(1)), _MONTHS[found.group(2).lower()], found.group(3)
        return date(int(year), month, day)
    found = _ISO_DATE.match(text)
    if found:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    raise ValueError(f"not a date like 15 Mar 2024: {text[:40]!r}")


def _header_key(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split()).casefold()


def _find_header(rows: Iterator[tuple[int, list[str]]]) -> tuple[dict[str, int], list[str]]:
    for index, (_line, cells) in enumerate(rows):
        keys = [_header_key(c) for c in cells]
        if "first name" in keys and "last name" in keys:
            columns: dict[str, int] = {}
            ignored = []
            for position, (key, raw) in enumerate(zip(keys, cells, strict=True)):
                target = COLUMNS.get(key)
                if target is None:
                    if key:
                        ignored.append(raw.strip())
                else:
                    columns.setdefault(target, position)
            return columns, ignored
        if index + 1 >= HEADER_WITHIN:
            break
    raise textfile.FileProblem(
        "No header row with First Name and Last Name columns in the first "
        f"{HEADER_WITHIN} rows: is this LinkedIn's Connections.csv?",
        "missing_header",
    )


def parse_linkedin(data: bytes) -> ParsedFile:
    """Every connection in the export: a draft, or the reason it cannot be one."""
    text = textfile.decode(data)
    rows = textfile.records(text, textfile.delimiter_of(text))
    columns, ignored = _find_header(rows)
    parsed = ParsedFile(drafts=[], invalid=[], ignored_columns=ignored)
    for line, cells in rows:
        if textfile.is_blank(cells):
            continue  # the trailing empty rows spreadsheets and LinkedIn leave
        values = {
            name: cell(cells[position]) if position < len(cells) else None
            for name, position in columns.items()
        }
        try:
            parsed.drafts.append(_draft(line, values))
        except CellError as exc:
            name = " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)
            parsed.invalid.append(
                RowIssue(line, exc.column, exc.reason, exc.code, name[:200] or None)
            )
    return parsed


def _draft(line: int, values: dict[str, str | None]) -> Draft:
    name = " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)
    if not name:
        raise CellError("First Name", "and Last Name are both empty", "missing")
    draft = Draft(row=line, full_name=clean("full_name", name, "First Name/Last Name"))
    if values.get("linkedin_url"):
        draft.linkedin_url = clean("linkedin_url", values["linkedin_url"], "URL")
    if values.get("email"):
        draft.email = clean("email", values["email"], "Email Address")
    company, position = values.get("organization"), values.get("title")
    if company:
        draft.organization = clean("organization", fitted(draft, "Company", company), "Company")
    if position:
        draft.title = clean("title", fitted(draft, "Position", position), "Position")
    connected = values.get("connected_on")
    if connected:
        try:
            draft.connected_on = parse_connected_on(connected)
        except ValueError as exc:
            raise CellError("Connected On", "is not a date like 15 Mar 2024", "invalid") from exc
    draft.how_we_met = connected_context(draft.connected_on)
    return draft


def connected_context(on: date | None) -> str:
    """How the user knows a connection: the referral edge's context and the contact's
    how_we_met."""
    return f"Connected on LinkedIn on {on.isoformat()}" if on else "Connected on LinkedIn"
