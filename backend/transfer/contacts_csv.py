"""The contacts CSV: one row per contact, in columns a spreadsheet and the importer share
(pure).

Written as UTF-8 with a byte-order mark (so spreadsheet apps detect the encoding), CRLF line
ends (RFC 4180) and every cell that a spreadsheet would run as a formula (one starting with
`= + - @`, a tab or a carriage return) written with a leading apostrophe, which the importer
takes off again. Tags are joined with "; ".
"""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from backend.transfer import textfile
from backend.transfer.drafts import (
    FORMULA_START,
    CellError,
    Draft,
    ParsedFile,
    RowIssue,
    clean,
)
from backend.transfer.drafts import text_or_none as cell

# The documented columns, in order (see README "Contacts CSV").
COLUMNS = (
    "id",
    "full_name",
    "email",
    "phone",
    "linkedin_url",
    "organization",
    "title",
    "location",
    "tags",
    "status",
    "next_follow_up",
    "how_we_met",
    "notes",
    "created_at",
    "updated_at",
)
# Read back on import; the others are written for the reader only.
IMPORTED = (
    "id",
    "full_name",
    "email",
    "phone",
    "linkedin_url",
    "organization",
    "title",
    "location",
    "tags",
    "status",
    "next_follow_up",
    "how_we_met",
    "notes",
)
EXPORT_ONLY = ("created_at", "updated_at")
# Other spellings of a column the importer understands (after lower-casing, blanks as _).
ALIASES = {
    "name": "full_name",
    "company": "organization",
    "organization_name": "organization",
    "linkedin": "linkedin_url",
    "url": "linkedin_url",
    "email_address": "email",
    "e_mail": "email",
    "e_mail_address": "email",
    "phone_number": "phone",
    "position": "title",
    "job_title": "title",
}
TAG_SEPARATOR = ";"
BOM = "\ufeff"


def escape_cell(value: str) -> str:
    """A cell no spreadsheet will run: `=HYPERLINK(...)` is written `'=HYPERLINK(...)`."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return f"{TAG_SEPARATOR} ".join(str(v) for v in value)
    return str(value)


def write_contacts_csv(contacts: Iterable[Mapping[str, Any]]) -> str:
    """The CSV text of `contacts`: each a mapping of COLUMNS to values (the organization by
    name), in the order given."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for contact in contacts:
        writer.writerow([escape_cell(_text(contact.get(name))) for name in COLUMNS])
    return out.getvalue()


def _column(header: str) -> str:
    key = "_".join(header.replace("\ufeff", "").replace("-", " ").split()).casefold()
    return ALIASES.get(key, key)


def parse_contacts_csv(data: bytes) -> ParsedFile:
    """Every row of a contacts CSV (its first non-blank row names the columns; `full_name`
    is required, the others optional, unknown ones ignored and reported)."""
    text = textfile.decode(data)
    rows = textfile.records(text, textfile.delimiter_of(text))
    header: list[str] = []
    for _line, cells in rows:
        if not textfile.is_blank(cells):
            header = cells
            break
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for position, raw in enumerate(header):
        name = _column(raw)
        if name in IMPORTED:
            columns.setdefault(name, position)
        elif name not in EXPORT_ONLY and raw.strip():
            ignored.append(raw.strip())
    if "full_name" not in columns:
        raise textfile.FileProblem(
            "The first row must name the columns, with at least full_name (the documented "
            "columns: " + ", ".join(COLUMNS) + ").",
            "missing_header",
            line=1,
        )
    parsed = ParsedFile(drafts=[], invalid=[], ignored_columns=ignored)
    for line, cells in rows:
        if textfile.is_blank(cells):
            continue
        values = {
            name: cell(cells[position]) if position < len(cells) else None
            for name, position in columns.items()
        }
        try:
            parsed.drafts.append(_draft(line, values))
        except CellError as exc:
            name = (values.get("full_name") or "")[:200] or None
            parsed.invalid.append(RowIssue(line, exc.column, exc.reason, exc.code, name))
    return parsed


def _draft(line: int, values: dict[str, str | None]) -> Draft:
    if not values.get("full_name"):
        raise CellError("full_name", "is empty", "missing")
    draft = Draft(row=line, full_name=clean("full_name", values["full_name"]))
    for name in ("email", "phone", "linkedin_url", "organization", "title", "location"):
        if values.get(name):
            setattr(draft, name, clean(name, values[name]))
    for name in ("how_we_met", "notes", "status", "next_follow_up"):
        if values.get(name):
            setattr(draft, name, clean(name, values[name]))
    if values.get("id"):
        draft.contact_id = clean("contact_id", values["id"], "id")
    tags = values.get("tags")
    if tags:
        draft.tags = clean("tags", [t for t in tags.split(TAG_SEPARATOR) if t.strip()])
    return draft
