"""vCards (RFC 2426 version 3.0 and RFC 6350 version 4.0), read and written with vobject
(pure).

A contact becomes FN and N (the last word of the name as family name), EMAIL, TEL, ORG,
TITLE, ADR (the location, as locality), URL (the LinkedIn profile), NOTE, CATEGORIES (the
tags), UID (`urn:uuid:<contact id>`, so re-importing our own export matches by id) and REV
(when it last changed); 4.0 cards also say KIND:individual.

Reading splits the file at BEGIN:VCARD/END:VCARD lines and parses each card on its own, so
one broken card is reported by its line and the others still import. Before vobject sees
anything, the whole file is checked against limits (vobject holds the GIL through a regular
expression over each line, and copies a folded line at every fold: a 30 MB name took 5 s and
700 MB): at most MAX_RECORDS cards, each property it reads at most MAX_PROPERTY characters
once unfolded, at most MAX_PROPERTIES of them in the file. Properties Nexthop does not read
(PHOTO, LOGO, PRODID, X-…) are dropped unparsed, whatever their size: phones embed photos.
"""

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import vobject
from vobject.vcard import Address, Name

from backend.transfer import textfile
from backend.transfer.drafts import CellError, Draft, ParsedFile, RowIssue, clean, fitted


class VCardVersion(StrEnum):
    v3 = "3.0"
    v4 = "4.0"


MEDIA_TYPE = "text/vcard"
_BEGIN = re.compile(r"^begin:vcard\s*$", re.IGNORECASE)
_END = re.compile(r"^end:vcard\s*$", re.IGNORECASE)
# The properties a card is read for (see _draft), and its frame.
READ_PROPERTIES = frozenset(
    {
        "begin", "end", "version", "fn", "n", "email", "tel", "org", "title", "adr", "url",
        "x-socialprofile", "note", "categories", "uid",
    }
)  # fmt: skip
# A property longer than a CSV cell may be (unfolded) is not contact data.
MAX_PROPERTY = textfile.MAX_CELL
# Read properties (frames and VERSION included) in one file: ~10 per card at MAX_RECORDS.
MAX_PROPERTIES = 10 * textfile.MAX_RECORDS
# `[group.]name` and then parameters or the value, as vobject's parseLine reads a name.
_PROPERTY_NAME = re.compile(r"(?:[A-Za-z0-9_-]+\.)?([A-Za-z0-9_-]+)[;:]")
_UID = re.compile(
    r"^(?:urn:uuid:)?([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})$",
    re.IGNORECASE,
)


# --- Writing -------------------------------------------------------------------------------


def split_name(full_name: str) -> tuple[str, str]:
    """(given, family): the last word is the family name; one word is a given name."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip(), ""
    return " ".join(words[:-1]), words[-1]


def _rev(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.strftime("%Y%m%dT%H%M%SZ")
    if isinstance(value, str) and value:
        return re.sub(r"\.\d+", "", value).replace("-", "").replace(":", "")
    return None


def write_vcard(contact: Mapping[str, Any], organization: str | None, version: VCardVersion) -> str:
    """One contact (a mapping of the contact's public fields) as a vCard."""
    card = vobject.vCard()
    card.add("version").value = version.value
    if version == VCardVersion.v4:
        card.add("kind").value = "individual"
    card.add("fn").value = contact["full_name"]
    given, family = split_name(contact["full_name"])
    card.add("n").value = Name(family=family, given=given)
    if contact.get("email"):
        email = card.add("email")
        email.value = contact["email"]
        if version == VCardVersion.v3:
            email.type_param = "INTERNET"
    if contact.get("phone"):
        card.add("tel").value = contact["phone"]
    if organization:
        card.add("org").value = [organization]
    if contact.get("title"):
        card.add("title").value = contact["title"]
    if contact.get("location"):
        card.add("adr").value = Address(city=contact["location"])
    if contact.get("linkedin_url"):
        card.add("url").value = contact["linkedin_url"]
    if contact.get("notes"):
        card.add("note").value = contact["notes"]
    if contact.get("tags"):
        card.add("categories").value = list(contact["tags"])
    card.add("uid").value = f"urn:uuid:{contact['id']}"
    rev = _rev(contact.get("updated_at"))
    if rev:
        card.add("rev").value = rev
    text: str = card.serialize()
    return text


# --- Reading -------------------------------------------------------------------------------


def _cards(text: str) -> list[tuple[int, str]]:
    """Each card's text, as vobject will read it, with the line (from 1) of its BEGIN:VCARD.
    Raises FileProblem when the file is over a limit, before any card is parsed."""
    cards: list[tuple[int, str]] = []
    start: int | None = None
    lines: list[str] = []  # the card's
    properties = 0

    def finish() -> None:
        nonlocal properties
        assert start is not None
        kept, read = _read_properties(start, lines)
        properties += read
        if properties > MAX_PROPERTIES:
            raise textfile.FileProblem(
                f"The file has more than {MAX_PROPERTIES} properties to read; split it.",
                "too_many_properties",
                line=start,
                limit=MAX_PROPERTIES,
            )
        cards.append((start, "\r\n".join(kept) + "\r\n"))

    # Only CR and LF end lines: str.splitlines would also split at U+2028 inside a NOTE. (As
    # `\r\n|\r|\n` would split, but string operations, not a regular expression holding the
    # GIL for the whole file.)
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(physical, start=1):
        if start is None:
            if _BEGIN.match(line):
                start, lines = number, [line]
            continue
        lines.append(line)
        if _END.match(line):
            finish()
            start = None
            if len(cards) > textfile.MAX_RECORDS:
                raise textfile.FileProblem(
                    f"The file has more than {textfile.MAX_RECORDS} vCards; split it.",
                    "too_many_rows",
                    line=number,
                    limit=textfile.MAX_RECORDS,
                )
    if start is not None:
        finish()  # let the parser say what is wrong
    if not cards:
        raise textfile.FileProblem(
            "No vCard in the file: it has no BEGIN:VCARD line.", "missing_header"
        )
    return cards


def _read_properties(start: int, lines: list[str]) -> tuple[list[str], int]:
    """A card's lines without the properties Nexthop does not read, and how many it reads.
    Raises FileProblem for a read property longer than MAX_PROPERTY once unfolded.

    Lines are grouped into properties exactly as vobject unfolds them
    (vobject.base.getLogicalLines): a line starting with a space or tab continues the one
    before; after a line ending in `=`, once `quoted-printable` was seen in the property,
    so does the next line (vCard 2.1); a blank line ends a property and is kept, so the
    properties after it are grouped the same once the others are dropped."""
    kept: list[str] = []
    read = 0
    group: list[str] = []  # the property's lines
    length = 0  # the property's length once unfolded
    quoted_printable = False  # "quoted-printable" seen in the property
    # Its text not yet searched for the word, as (line, where its text starts). Searched at a
    # line ending in "=", where it matters, so a long property costs one string search; what
    # was searched ends in "=", so the word is never split between two searches.
    unsearched: list[tuple[str, int]] = []
    continues = False  # after a line ending in "=" in a quoted-printable property

    def close() -> None:
        nonlocal read, group
        if not group:
            return
        first = group[0]
        name = _PROPERTY_NAME.match(first[1:] if first[0] in " \t" else first)
        if name is None or name.group(1).replace("_", "-").lower() in READ_PROPERTIES:
            if length > MAX_PROPERTY:
                line = start + len(kept)
                raise textfile.FileProblem(
                    f"Line {line}: a property is longer than {MAX_PROPERTY} characters "
                    "(unfolded); no contact field is that long.",
                    "line_too_long",
                    line=line,
                    limit=MAX_PROPERTY,
                )
            kept.extend(group)
            read += 1
        else:
            kept.extend("" for _ in group)  # keeps line numbers; vobject skips blank lines
        group = []

    for line in lines:
        if line.rstrip() == "":
            close()
            kept.append(line)
            quoted_printable = continues = False
            continue
        if continues and group:
            unsearched += [("\n", 0), (line, 0)]
            length += 1 + len(line)
        elif line[0] in " \t" and group:
            unsearched.append((line, 1))
            length += len(line) - 1
        else:
            close()
            skip = 1 if line[0] in " \t" else 0
            unsearched, quoted_printable = [(line, skip)], False
            length = len(line) - skip
        group.append(line)
        if line.endswith("=") and not quoted_printable:
            text = "".join(part[offset:] for part, offset in unsearched)
            # str.lower, as vobject looks for it.
            quoted_printable = "quoted-printable" in text.lower()
            unsearched = []
        continues = quoted_printable and line.endswith("=")
    close()
    return kept, read


def parse_vcards(data: bytes) -> ParsedFile:
    """Every card of a .vcf file: a draft, or the reason it cannot be one."""
    parsed = ParsedFile(drafts=[], invalid=[])
    for line, chunk in _cards(textfile.decode(data)):
        try:
            card = vobject.readOne(chunk)
        except Exception as exc:  # vobject raises many kinds on hostile input
            reason = f"cannot be read: {str(exc)[:200] or type(exc).__name__}"
            parsed.invalid.append(RowIssue(line, "vCard", reason, "malformed"))
            continue
        try:
            parsed.drafts.append(_draft(line, card))
        except CellError as exc:
            name = _text(card, "fn")
            parsed.invalid.append(
                RowIssue(line, exc.column, exc.reason, exc.code, name[:200] if name else None)
            )
        except Exception as exc:  # a property vobject parsed into a surprise
            reason = f"cannot be read: {str(exc)[:200] or type(exc).__name__}"
            parsed.invalid.append(RowIssue(line, "vCard", reason, "malformed"))
    return parsed


def _values(card: Any, name: str) -> list[Any]:
    return [prop.value for prop in card.contents.get(name, [])]


def _text(card: Any, name: str) -> str | None:
    for value in _values(card, name):
        text = _join(value).strip()
        if text:
            return text
    return None


def _join(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_join(v) for v in value if v)
    return str(value) if value is not None else ""


def _name(card: Any) -> str | None:
    full = _text(card, "fn")
    if full:
        return full
    for value in _values(card, "n"):
        if isinstance(value, Name):
            parts = [value.prefix, value.given, value.additional, value.family, value.suffix]
            joined = " ".join(_join(p) for p in parts if p).strip()
            if joined:
                return joined
    return None


def _linkedin(card: Any) -> str | None:
    candidates = _values(card, "url") + _values(card, "x-socialprofile")
    for value in candidates:
        url = _join(value).strip()
        host = urlsplit(url if "://" in url else "https://" + url).hostname or ""
        if host == "linkedin.com" or host.endswith(".linkedin.com"):
            return url
    return None


def _location(card: Any) -> str | None:
    for value in _values(card, "adr"):
        if isinstance(value, Address):
            parts = [value.city, value.region, value.country]
            joined = ", ".join(_join(p).strip() for p in parts if _join(p).strip())
            if joined:
                return joined
    return None


def _categories(card: Any) -> list[str]:
    tags: list[str] = []
    for value in _values(card, "categories"):
        items = value if isinstance(value, list) else str(value).split(",")
        tags += [str(t).strip() for t in items if str(t).strip()]
    return tags


def _draft(line: int, card: Any) -> Draft:
    name = _name(card)
    if not name:
        raise CellError("FN", "and N are both empty", "missing")
    draft = Draft(row=line, full_name=clean("full_name", name, "FN"))
    fields = {
        "email": ("EMAIL", _text(card, "email")),
        "phone": ("TEL", _phone(_text(card, "tel"))),
        "linkedin_url": ("URL", _linkedin(card)),
        "organization": ("ORG", _organization(card)),
        "title": ("TITLE", _text(card, "title")),
        "location": ("ADR", _location(card)),
        "notes": ("NOTE", _text(card, "note")),
    }
    for name_, (column, value) in fields.items():
        if value:
            if name_ in ("organization", "title", "location"):
                value = fitted(draft, column, value)
            setattr(draft, name_, clean(name_, value, column))
    tags = _categories(card)
    if tags:
        draft.tags = clean("tags", tags, "CATEGORIES")
    uid = _UID.match(_text(card, "uid") or "")
    if uid:
        draft.contact_id = uuid.UUID(uid.group(1))
    return draft


def _organization(card: Any) -> str | None:
    for value in _values(card, "org"):
        first = value[0] if isinstance(value, list) and value else value
        text = _join(first).strip()
        if text:
            return text
    return None


def _phone(value: str | None) -> str | None:
    return value.removeprefix("tel:").strip() or None if value else None
