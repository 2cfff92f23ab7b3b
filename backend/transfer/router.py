"""Imports and exports: LinkedIn connections, contacts CSV, vCard and the full backup."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backend.auth import OwnerDep
from backend.db import SessionDep, WriteSessionDep
from backend.errors import problem_doc
from backend.responses import JSONBytesResponse
from backend.routing import READ_RESPONSES
from backend.transfer import service
from backend.transfer.models import Backup, ImportFormat, ImportMode, ImportReport, RestoreReport
from backend.transfer.textfile import MAX_RECORDS
from backend.transfer.vcard import MAX_PROPERTIES, MAX_PROPERTY, VCardVersion
from backend.transfer.vcard import MEDIA_TYPE as VCARD_TYPE

imports = APIRouter(prefix="/api/v1/imports", tags=["imports"])
exports = APIRouter(prefix="/api/v1/exports", tags=["exports"])
# One contact's vCard lives beside the contact.
contact_exports = APIRouter(prefix="/api/v1/contacts", tags=["exports"])
router = APIRouter()

CSV_TYPE = "text/csv"

_UPLOAD_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("The body is not a readable multipart/form-data upload."),
    409: problem_doc("A change made at the same time conflicted; nothing was written."),
    413: problem_doc("The upload is over the configured limit (NEXTHOP_MAX_IMPORT_BYTES)."),
    422: problem_doc(
        "The file cannot be read at all: not UTF-8 (or UTF-16) text, binary, no header row, "
        f"not CSV, or over a limit: more than {MAX_RECORDS:,} rows (or vCards), a vCard "
        f"property longer than {MAX_PROPERTY:,} characters unfolded, more than "
        f"{MAX_PROPERTIES:,} vCard properties to read. "
        "`errors[0].field` is `file`, `line` says where, `limit` which limit. Single bad rows "
        "are not refused: the report lists them as `invalid`."
    ),
}
_RESTORE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("The body is not valid JSON."),
    404: problem_doc("A record refers to one that is not in the backup; `errors` says which."),
    409: problem_doc(
        "The account already has data (`existing` counts it): a backup is restored only into "
        "an empty account. Or the backup repeats what may exist once (an id, an organization "
        "name, a referral edge, a template kind); `errors` says which. Nothing was changed."
    ),
    413: problem_doc("The backup is over the configured limit (NEXTHOP_MAX_IMPORT_BYTES)."),
    422: problem_doc(
        "Not a backup this server can restore: another schema version, a template with "
        "unknown placeholders, a contact introducing the user to themself."
    ),
}

ModeQuery = Annotated[
    ImportMode,
    Query(
        description="`preview` (the default) reads the file and says what would happen, "
        "writing nothing. `commit` does it: everything in one transaction, or nothing."
    ),
]
VersionQuery = Annotated[
    VCardVersion, Query(description="vCard 3.0 (the most widely read) or 4.0 (RFC 6350).")
]


def _download(body: str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _text_file(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    content = {media_type: {"schema": {"type": "string"}}}
    return {200: {"description": description, "content": content}}


def _import(
    fmt: ImportFormat, file: UploadFile, session: Session, owner: uuid.UUID, mode: ImportMode
) -> JSONBytesResponse:
    data = file.file.read()
    report = service.import_contacts(session=session, owner=owner, fmt=fmt, data=data, mode=mode)
    return JSONBytesResponse(report)


@imports.post(
    "/linkedin",
    name="linkedin",
    summary="Import LinkedIn connections (Connections.csv), previewed first",
    description="Upload LinkedIn's `Connections.csv` data export as it comes (notes before "
    "the header, with or without the URL column, UTF-8 with or without BOM). Each connection "
    "becomes a contact (with its company as organization) and a direct referral edge from the "
    "user, status `met`. People the user already has (same LinkedIn profile, else same "
    "email, else, with neither, same name) are matched: their empty fields are filled, "
    "nothing is overwritten. Importing the same file again changes nothing.",
    response_model=ImportReport,
    responses=_UPLOAD_PROBLEMS,
)
def import_linkedin(
    file: Annotated[UploadFile, File(description="LinkedIn's Connections.csv.")],
    session: WriteSessionDep,
    owner: OwnerDep,
    mode: ModeQuery = ImportMode.preview,
) -> JSONBytesResponse:
    return _import(ImportFormat.linkedin, file, session, owner, mode)


@imports.post(
    "/contacts-csv",
    name="contacts-csv",
    summary="Import contacts from CSV, previewed first",
    description="A CSV whose first row names its columns: `full_name` (required), `id`, "
    "`email`, `phone`, `linkedin_url`, `organization` (by name; made when new), `title`, "
    "`location`, `tags` (separated by `;`), `status`, `next_follow_up` (YYYY-MM-DD), "
    "`how_we_met`, `notes` — the columns of `GET /api/v1/exports/contacts.csv`. Comma, "
    "semicolon or tab separated. Rows naming one of the user's contacts (same `id`, LinkedIn "
    "profile, email, or with neither, name) fill its empty fields; nothing is overwritten.",
    response_model=ImportReport,
    responses=_UPLOAD_PROBLEMS,
)
def import_contacts_csv(
    file: Annotated[UploadFile, File(description="A CSV file of contacts.")],
    session: WriteSessionDep,
    owner: OwnerDep,
    mode: ModeQuery = ImportMode.preview,
) -> JSONBytesResponse:
    return _import(ImportFormat.contacts_csv, file, session, owner, mode)


@imports.post(
    "/vcard",
    name="vcard",
    summary="Import contacts from vCards (3.0 or 4.0), previewed first",
    description="A .vcf file of one or many cards. FN (or N), EMAIL, TEL, ORG, TITLE, ADR, a "
    "LinkedIn URL, NOTE and CATEGORIES are read; a UID of the form `urn:uuid:<contact id>` "
    "matches the user's own contact. Matches fill empty fields only. Other properties "
    "(PHOTO, …) are skipped unread, whatever their size.",
    response_model=ImportReport,
    responses=_UPLOAD_PROBLEMS,
)
def import_vcard(
    file: Annotated[UploadFile, File(description="A vCard (.vcf) file.")],
    session: WriteSessionDep,
    owner: OwnerDep,
    mode: ModeQuery = ImportMode.preview,
) -> JSONBytesResponse:
    return _import(ImportFormat.vcard, file, session, owner, mode)


@imports.post(
    "/backup",
    name="backup",
    summary="Restore a full backup into this empty account",
    description="The body is a document from `GET /api/v1/exports/backup`. Restores every "
    "record with its id, version and timestamps, and every relation, into an account that "
    "has no data yet (409 otherwise: nothing is ever overwritten). Ids already taken on this "
    "server (the backed-up account still exists) are all replaced, consistently; `id_map` "
    "lists them.",
    response_model=RestoreReport,
    responses=_RESTORE_PROBLEMS,
)
def import_backup(
    backup: Backup, session: WriteSessionDep, owner: OwnerDep, mode: ModeQuery = ImportMode.preview
) -> RestoreReport:
    return service.restore_backup(session=session, owner=owner, backup=backup, mode=mode)


@exports.get(
    "/contacts.csv",
    name="contacts-csv",
    summary="Download all contacts as CSV",
    description="UTF-8 (with BOM), one row per contact, sorted by name, in the columns "
    "`id, full_name, email, phone, linkedin_url, organization, title, location, tags, status, "
    "next_follow_up, how_we_met, notes, created_at, updated_at` (`organization` is its name, "
    "`tags` are joined with `; `). Cells starting with `= + - @` are written with a leading "
    "`'` so spreadsheets do not run them.",
    response_class=Response,
    responses=_text_file(CSV_TYPE, "The contacts, as CSV."),
)
def export_contacts_csv(session: SessionDep, owner: OwnerDep) -> Response:
    body = service.contacts_csv(session=session, owner=owner)
    return _download(body, CSV_TYPE, service.export_filename("contacts", "csv"))


@exports.get(
    "/contacts.vcf",
    name="contacts-vcard",
    summary="Download all contacts as vCards",
    response_class=Response,
    responses=_text_file(VCARD_TYPE, "Every contact as a vCard, one after the other."),
)
def export_contacts_vcard(
    session: SessionDep, owner: OwnerDep, version: VersionQuery = VCardVersion.v3
) -> Response:
    body = service.contacts_vcards(session=session, owner=owner, version=version)
    return _download(body, VCARD_TYPE, service.export_filename("contacts", "vcf"))


@contact_exports.get(
    "/{contact_id}/vcard",
    name="contact-vcard",
    summary="Download one contact as a vCard",
    response_class=Response,
    responses={**READ_RESPONSES, **_text_file(VCARD_TYPE, "The contact as a vCard.")},
)
def export_contact_vcard(
    contact_id: uuid.UUID,
    session: SessionDep,
    owner: OwnerDep,
    version: VersionQuery = VCardVersion.v3,
) -> Response:
    body = service.contact_vcard(
        session=session, owner=owner, contact_id=contact_id, version=version
    )
    return _download(body, VCARD_TYPE, f"contact-{contact_id}.vcf")


@exports.get(
    "/backup",
    name="backup",
    summary="Download everything as one JSON backup",
    description="Profile (without its share link), message templates, organizations, "
    "contacts, interviews (with slots and checklists), note items, referrals and "
    "opportunities (with their interviews), each with id, version and timestamps. Restore it "
    "with `POST /api/v1/imports/backup`.",
    response_model=Backup,
)
def export_backup(session: SessionDep, owner: OwnerDep) -> Response:
    body = service.backup_document(session=session, owner=owner)
    return _download(body, "application/json", service.export_filename("nexthop-backup", "json"))


router.include_router(imports)
router.include_router(exports)
router.include_router(contact_exports)
