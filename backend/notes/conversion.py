"""Converting a to_connect note item: the person offered becomes a contact, reached through a
referral from the interviewee (the chain of conversations grows by one node)."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend import crud
from backend.contacts import service as contacts_service
from backend.contacts.models import ContactCreate
from backend.documents import Doc
from backend.errors import NotFound, Unprocessable
from backend.fields import name_key
from backend.interviews import service as interviews_service
from backend.interviews.models import InterviewCreate
from backend.notes.connect import (
    NAME_MAX,
    converted_contact_id,
    default_full_name,
    email_key,
    how_we_met,
    normalize_linkedin_url,
    referral_context,
)
from backend.notes.models import NoteCategory, NoteConvert, NoteStatus
from backend.notes.service import LABEL, contacts, interviews, organizations, referrals, table
from backend.referrals import service as referrals_service
from backend.referrals.models import ReferralCreate, ReferralStatus
from backend.webhooks.events import emit
from backend.webhooks.models import WebhookEvent


@dataclass(frozen=True)
class _Found:
    contact_id: uuid.UUID
    field: str  # the input it was found by, for an error about it


def _check_convert_refs(session: Session, owner: uuid.UUID, data: NoteConvert) -> None:
    if data.contact_id is not None:
        crud.ensure_owned(
            session,
            contacts,
            owner=owner,
            row_id=data.contact_id,
            field="contact_id",
            label="contact",
        )
    if data.organization_id is not None:
        crud.ensure_owned(
            session,
            organizations,
            owner=owner,
            row_id=data.organization_id,
            field="organization_id",
            label="organization",
        )


def _lock_note(session: Session, owner: uuid.UUID, note_id: uuid.UUID) -> dict[str, Any]:
    """The note, locked until the transaction ends (PostgreSQL; SQLite write transactions
    are one at a time already), so two conversions of it run one after the other."""
    stmt = select(table).where(crud.owned(table, owner), table.c.id == note_id).with_for_update()
    row = session.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(f"No {LABEL} with id {note_id}.")
    return dict(row)


def _conversion_json(
    note: Doc, contact: Doc, referral: Doc, interview: Doc | None, matched: bool
) -> str:
    return (
        f'{{"note_item":{note.json},"contact":{contact.json},"referral":{referral.json},'
        f'"interview":{interview.json if interview else "null"},'
        f'"matched_existing_contact":{"true" if matched else "false"}}}'
    )


def _earlier_conversion(session: Session, owner: uuid.UUID, note: dict[str, Any]) -> str:
    """What converting this note made the first time (a deleted referral or interview
    empties the note's reference to it)."""
    referral = crud.get_row(
        session, referrals, owner=owner, row_id=note["produced_referral_id"], label="referral"
    )
    contact_id = referral["to_contact_id"]
    interview_id = note["produced_interview_id"]
    interview = (
        crud.find_doc(session, interviews, owner=owner, row_id=interview_id)
        if interview_id is not None
        else None
    )
    return _conversion_json(
        crud.get_doc(session, table, owner=owner, row_id=note["id"], label=LABEL),
        crud.get_doc(session, contacts, owner=owner, row_id=contact_id, label="contact"),
        crud.get_doc(session, referrals, owner=owner, row_id=referral["id"], label="referral"),
        interview,
        matched=contact_id != converted_contact_id(note["id"]),
    )


def _find_contact(
    session: Session, owner: uuid.UUID, note: dict[str, Any], data: NoteConvert
) -> _Found | None:
    """The user's contact the body (or, when the body names nobody, the note) points at."""
    if data.contact_id is not None:
        return _Found(data.contact_id, "contact_id")
    if data.email is None and data.linkedin_url is None and data.full_name is None:
        if note["contact_id"] is not None:
            return _Found(note["contact_id"], "contact_id")
    mine = crud.owned(contacts, owner)
    oldest_first = (contacts.c.created_at, contacts.c.id)
    if data.email is not None or data.linkedin_url is not None:
        stmt = (
            select(contacts.c.id, contacts.c.email, contacts.c.linkedin_url)
            .where(mine, or_(contacts.c.email.is_not(None), contacts.c.linkedin_url.is_not(None)))
            .order_by(*oldest_first)
        )
        rows = session.execute(stmt).all()
        if data.email is not None:
            wanted = email_key(data.email)
            for row in rows:
                if row.email is not None and email_key(row.email) == wanted:
                    return _Found(row.id, "email")
        if data.linkedin_url is not None:
            wanted = normalize_linkedin_url(data.linkedin_url)
            for row in rows:
                if row.linkedin_url and normalize_linkedin_url(row.linkedin_url) == wanted:
                    return _Found(row.id, "linkedin_url")
    name = data.full_name or default_full_name(note["text"])
    if name is not None:
        stmt = select(contacts.c.id).where(mine, contacts.c.name_key == name_key(name))
        found = session.execute(stmt.order_by(*oldest_first).limit(1)).scalar()
        if found is not None:
            return _Found(found, "full_name")
    return None


def _create_contact(
    session: Session,
    owner: uuid.UUID,
    note: dict[str, Any],
    data: NoteConvert,
    introduced_by: str,
    met_on: date,
) -> Doc:
    full_name = data.full_name or default_full_name(note["text"])
    if full_name is None:
        raise Unprocessable.field(
            "full_name",
            "Say who this is: the note's text is not a name (one line of at most "
            f"{NAME_MAX} characters), so give full_name.",
            "missing",
        )
    new = ContactCreate(
        id=converted_contact_id(note["id"]),
        full_name=full_name,
        email=data.email,
        linkedin_url=data.linkedin_url,
        title=data.title,
        organization_id=data.organization_id,
        how_we_met=how_we_met(introduced_by, met_on),
    )
    doc, _created = contacts_service.create_contact(session=session, owner=owner, data=new)
    return doc


def _referral_edge(
    session: Session,
    owner: uuid.UUID,
    *,
    from_contact_id: uuid.UUID,
    to_contact_id: uuid.UUID,
    interview_id: uuid.UUID,
    context: str,
) -> Doc:
    """The introduction from the interviewee: the one already recorded between them (its
    blanks filled in), else a new one, offered."""
    stmt = select(referrals).where(
        crud.owned(referrals, owner),
        referrals.c.from_contact_id == from_contact_id,
        referrals.c.to_contact_id == to_contact_id,
    )
    existing = session.execute(stmt).mappings().first()
    if existing is None:
        new = ReferralCreate(
            from_contact_id=from_contact_id,
            to_contact_id=to_contact_id,
            interview_id=interview_id,
            context=context,
            status=ReferralStatus.offered,
        )
        doc, _created = referrals_service.create_referral(session=session, owner=owner, data=new)
        return doc
    blanks = {"interview_id": interview_id, "context": context}
    changes = {name: value for name, value in blanks.items() if existing[name] is None}
    doc = crud.update_row(
        session,
        referrals,
        owner=owner,
        row_id=existing["id"],
        changes=changes,
        expected_version=existing["version"],
        label="referral",
    )
    if changes:
        emit(session, owner, WebhookEvent.referral_updated, doc)
    return doc


def convert_note_item(
    *, session: Session, owner: uuid.UUID, note_id: uuid.UUID, data: NoteConvert
) -> tuple[str, bool]:
    """Turns a to_connect item into a contact (found or created), the interviewee's referral
    to them and (by default) a planned interview, in one transaction; the note is then done.
    Answers the conversion as JSON and whether it happened now (False: it had already, and
    this is that first result again)."""
    _check_convert_refs(session, owner, data)
    note = _lock_note(session, owner, note_id)
    if note["produced_referral_id"] is not None:
        return _earlier_conversion(session, owner, note), False
    if note["category"] != NoteCategory.to_connect:
        raise Unprocessable.field(
            "note_id",
            f"Only to_connect items can be converted; this one is {note['category']}.",
            "not_convertible",
            location="path",
        )
    details = (data.full_name, data.email, data.linkedin_url, data.title, data.organization_id)
    if data.contact_id is not None and any(value is not None for value in details):
        raise Unprocessable.field(
            "contact_id",
            "Give either contact_id or the new person's details, not both.",
            "ambiguous",
        )
    interview = crud.get_row(
        session, interviews, owner=owner, row_id=note["interview_id"], label="interview"
    )
    interviewee = crud.get_row(
        session, contacts, owner=owner, row_id=interview["contact_id"], label="contact"
    )
    found = _find_contact(session, owner, note, data)
    if found is not None and found.contact_id == interviewee["id"]:
        raise Unprocessable.field(
            found.field,
            f"That is {interviewee['full_name']}, the interviewee: someone cannot introduce "
            "the user to themself.",
            "self_referral",
        )
    if found is not None:
        contact = crud.get_doc(
            session, contacts, owner=owner, row_id=found.contact_id, label="contact"
        )
    else:
        met_at = interview["scheduled_at"] or note["created_at"]
        contact = _create_contact(
            session, owner, note, data, interviewee["full_name"], met_at.date()
        )
    referral = _referral_edge(
        session,
        owner,
        from_contact_id=interviewee["id"],
        to_contact_id=contact.id,
        interview_id=interview["id"],
        context=data.context if data.context is not None else referral_context(note["text"]),
    )
    planned = None
    if data.create_interview:
        planned, _created = interviews_service.create_interview(
            session=session, owner=owner, data=InterviewCreate(contact_id=contact.id)
        )
    done = crud.update_row(
        session,
        table,
        owner=owner,
        row_id=note_id,
        changes={
            "status": NoteStatus.done.value,
            "contact_id": contact.id,
            "produced_referral_id": referral.id,
            "produced_interview_id": planned.id if planned else None,
        },
        expected_version=note["version"],
        label=LABEL,
    )
    emit(session, owner, WebhookEvent.note_item_updated, done)
    session.commit()
    return _conversion_json(done, contact, referral, planned, found is not None), True
