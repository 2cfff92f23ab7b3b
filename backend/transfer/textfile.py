"""Reading an uploaded file as text and as CSV records (pure).

Files come from spreadsheets, LinkedIn and phones: UTF-8 with or without a byte-order mark,
UTF-16 with one (Excel's "Unicode text"), CRLF or LF. Anything else is refused with the line
where it went wrong, never guessed at: a wrong guess imports mojibake into every name.
"""

import codecs
import csv
import io
from collections.abc import Iterator

# LinkedIn caps a member at 30,000 connections; an address book past this is not an import.
MAX_RECORDS = 50_000
# A cell longer than this is not contact data (csv's own default limit, said in our words).
MAX_CELL = 131_072

_DELIMITERS = (",", ";", "\t")


class FileProblem(Exception):
    """The file as a whole cannot be read: why, a machine-readable code, the line, and the
    limit it is over (if that is why)."""

    def __init__(
        self, reason: str, code: str, line: int | None = None, limit: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.line = line
        self.limit = limit


def decode(data: bytes) -> str:
    """The file's text; BOMs removed, newlines left as they are (the CSV reader takes both)."""
    if not data.strip():
        raise FileProblem("The file is empty.", "empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(
        codecs.BOM_UTF32_LE
    ):
        text = _decode_as(data, "utf-16")
    else:
        text = _decode_as(data, "utf-8-sig")
    nul = text.find("\x00")
    if nul >= 0:
        raise FileProblem(
            "The file contains NUL characters: it is a binary file, not text.",
            "binary",
            line=text.count("\n", 0, nul) + 1,
        )
    return text


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if encoding == "utf-16":
            reason = "The file starts like UTF-16 text but is not."
        else:
            reason = (
                f"Line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file "
                "as UTF-8 (in a spreadsheet: CSV UTF-8) and upload it again."
            )
        raise FileProblem(reason, "encoding", line=line) from exc


def delimiter_of(text: str) -> str:
    """Comma, semicolon (spreadsheets in many locales) or tab: the most frequent of them on
    the first line that has any."""
    for line in text.splitlines()[:50]:
        counts = {d: line.count(d) for d in _DELIMITERS}
        best = max(_DELIMITERS, key=lambda d: counts[d])
        if counts[best]:
            return best
    return ","


def records(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line (from 1) where it starts; blank lines come as []."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    count = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblem(
                f"Line {start} cannot be read as CSV: {_csv_reason(exc)}.",
                "malformed_csv",
                line=start,
            ) from exc
        count += 1
        if count > MAX_RECORDS + 1:  # the header, then at most MAX_RECORDS rows
            raise FileProblem(
                f"The file has more than {MAX_RECORDS} rows; split it into smaller files.",
                "too_many_rows",
                line=start,
                limit=MAX_RECORDS,
            )
        yield start, cells
        start = reader.line_num + 1


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return f"a cell is longer than {MAX_CELL} characters"
    if "unexpected end of data" in message:
        return "a quoted cell is never closed"
    return message


def is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)
