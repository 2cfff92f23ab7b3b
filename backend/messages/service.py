"""Message templates per user, messages composed for an interview, and marking them sent."""

import re
import uuid
import zoneinfo
from datetime import UTC, tzinfo
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend import crud
from backend.audit import trail
from backend.audit.models import HistoryKind
from backend.contacts.models import Contact, ContactStatus
from backend.documents import Doc, dialect_of
from backend.errors import Conflict, FieldIssue, PreconditionFailed, Unprocessable
from backend.fields import utcnow, uuid7
from backend.interviews.lifecycle import InterviewStatus, transition_problem
from backend.interviews.models import Interview
from backend.messages import compose, templates
from backend.messages.models import (
    ComposedMessage,
    MessageKind,
    MessageTemplate,
    MessageTemplateInput,
    MessageTemplatePublic,
    PlaceholderInfo,
)
from backend.notes.models import NoteCategory, NoteItem, NoteStatus
from backend.organizations.models import Organization
from backend.profiles.models import Profile
from backend.referrals.models import Referral, ReferralStatus
from backend.users.models import User
from backend.webhooks import events

table = crud.table_of(MessageTemplate)
interviews = crud.table_of(Interview)
contacts = crud.table_of(Contact)
organizations = crud.table_of(Organization)
referrals = crud.table_of(Referral)
notes = crud.table_of(NoteItem)
profiles = crud.table_of(Profile)
users = crud.table_of(User)

INTERVIEW = "interview"
_ZONE = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")

# --- Templates -------------------------------------------------------------------------------


def placeholders() -> list[PlaceholderInfo]:
    return [PlaceholderInfo(name=n, description=d) for n, d in templates.PLACEHOLDERS.items()]


def _stored(session: Session, owner: uuid.UUID, kind: MessageKind) -> dict[str, Any] | None:
    stmt = select(table).where(crud.owned(table, owner), table.c.kind == kind.value)
    found = session.execute(stmt).mappings().first()
    return dict(found) if found else None


def _public(kind: MessageKind, row: dict[str, Any] | None) -> MessageTemplatePublic:
    if row is None:
        default = templates.DEFAULTS[kind]
        return MessageTemplatePublic(
            kind=kind, subject=default.subject, body=default.body, is_default=True, version=0
        )
    return MessageTemplatePublic(
        kind=kind,
        subject=row["subject"],
        body=row["body"],
        is_default=False,
        version=row["version"],
    )


def get_template(*, session: Session, owner: uuid.UUID, kind: MessageKind) -> MessageTemplatePublic:
    return _public(kind, _stored(session, owner, kind))


def list_templates(*, session: Session, owner: uuid.UUID) -> list[MessageTemplatePublic]:
    rows = session.execute(select(table).where(crud.owned(table, owner))).mappings()
    stored = {MessageKind(row["kind"]): dict(row) for row in rows}
    return [_public(kind, stored.get(kind)) for kind in MessageKind]


def _check(data: MessageTemplateInput) -> None:
    """Refuses unknown placeholders and unbalanced blocks when the template is saved."""
    issues = [
        FieldIssue(field=name, location="body", reason=problem.reason, code=problem.code)
        for name, text in (("subject", data.subject), ("body", data.body))
        for problem in templates.validate(text)
    ]
    if issues:
        detail = "; ".join(f"{i.field}: {i.reason}" for i in issues[:5])
        raise Unprocessable(detail, errors=issues)


def _insert_new(session: Session, values: dict[str, Any]) -> bool:
    """Inserts the user's first template of a kind, or nothing when a concurrent save won."""
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=[table.c.owner_id, table.c.kind])
        .returning(table.c.id)
    )
    return session.execute(stmt).first() is not None


def save_template(
    *,
    session: Session,
    owner: uuid.UUID,
    kind: MessageKind,
    data: MessageTemplateInput,
    expected_version: int | None,
) -> MessageTemplatePublic:
    _check(data)
    text = {"subject": data.subject, "body": data.body}
    for _attempt in range(3):
        current = _stored(session, owner, kind)
        crud.check_version(current["version"] if current else 0, expected_version)
        if current is None:
            now = utcnow()
            values = {
                **text, "id": uuid7(), "owner_id": owner, "kind": kind.value, "version": 1,
                "created_at": now, "updated_at": now,
            }  # fmt: skip
            if _insert_new(session, values):
                trail.record_row(
                    session, owner=owner, kind=HistoryKind.message_templates,
                    object_id=values["id"], before=None, after=values,
                )  # fmt: skip
                session.commit()
                return _public(kind, values)
            continue
        stmt = (
            update(table)
            .where(
                crud.owned(table, owner),
                table.c.id == current["id"],
                table.c.version == current["version"],
            )
            .values({**text, **crud.touched(table)})
            .returning(table.c.version)
        )
        version = session.execute(stmt).scalar()
        if version is not None:
            trail.record_row(
                session, owner=owner, kind=HistoryKind.message_templates,
                object_id=current["id"], before=current, after={**current, **text},
            )  # fmt: skip
            session.commit()
            return _public(kind, {**text, "version": version})
    raise PreconditionFailed("The template kept changing while we tried to save it; retry.")


def reset_template(
    *, session: Session, owner: uuid.UUID, kind: MessageKind, expected_version: int | None
) -> None:
    """Back to the built-in default: the user's own wording is deleted."""
    current = _stored(session, owner, kind)
    crud.check_version(current["version"] if current else 0, expected_version)
    if current is None:
        return
    guarded = delete(table).where(crud.owned(table, owner), table.c.id == current["id"])
    if expected_version is not None:
        guarded = guarded.where(table.c.version == expected_version)
    if trail.delete_rows(session, table, guarded, owner=owner) == 0:
        # Changed or deleted since we read it: refuse only if it changed.
        latest = _stored(session, owner, kind)
        crud.check_version(latest["version"] if latest else 0, expected_version)
    session.commit()


# --- Composing -------------------------------------------------------------------------------


def zone_of(name: str | None) -> tzinfo:
    """An IANA time zone such as Europe/Paris (UTC when none is given)."""
    if name is None or name == "UTC":
        return UTC
    bad = Unprocessable.field(
        "tz", f"{name[:64]!r} is not a known IANA time zone.", "unknown_zone", location="query"
    )
    if not _ZONE.fullmatch(name) or ".." in name:
        raise bad
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise bad from exc


def _referral(
    session: Session, owner: uuid.UUID, contact_id: uuid.UUID
) -> tuple[compose.Person | None, str | None]:
    """Who referred the user to this contact (see compose.pick_referral), and how."""
    c = referrals.c
    stmt = select(c.id, c.from_contact_id, c.interview_id, c.status, c.context, c.created_at).where(
        crud.owned(referrals, owner), c.to_contact_id == contact_id
    )
    edges = [
        compose.Edge(
            id=row.id,
            from_contact_id=row.from_contact_id,
            interview_id=row.interview_id,
            status=ReferralStatus(row.status),
            context=row.context,
            created_at=row.created_at,
        )
        for row in session.execute(stmt)
    ]
    best = compose.pick_referral(edges)
    if best is None or best.from_contact_id is None:
        return None, None
    referrer = crud.get_row(
        session, contacts, owner=owner, row_id=best.from_contact_id, label="contact"
    )
    return compose.Person(full_name=referrer["full_name"]), best.context


def _facts(session: Session, owner: uuid.UUID, interview: dict[str, Any]) -> compose.Facts:
    contact = crud.get_row(
        session, contacts, owner=owner, row_id=interview["contact_id"], label="contact"
    )
    organization = None
    if contact["organization_id"] is not None:
        organization = session.execute(
            select(organizations.c.name).where(
                crud.owned(organizations, owner), organizations.c.id == contact["organization_id"]
            )
        ).scalar()
    referrer, referral_context = _referral(session, owner, contact["id"])
    me_name = session.execute(select(users.c.display_name).where(users.c.id == owner)).scalar()
    profile = (
        session.execute(select(profiles).where(profiles.c.owner_id == owner)).mappings().first()
    )
    items = session.execute(
        select(notes.c.category, notes.c.status, notes.c.text, notes.c.author, notes.c.url)
        .where(
            crud.owned(notes, owner),
            notes.c.interview_id == interview["id"],
            notes.c.category.in_([NoteCategory.to_follow_up.value, NoteCategory.to_read.value]),
        )
        .order_by(notes.c.created_at, notes.c.id)
    ).all()
    return compose.Facts(
        contact=compose.Person(
            full_name=contact["full_name"],
            title=contact["title"],
            organization=organization,
            email=contact["email"],
        ),
        referrer=referrer,
        referral_context=referral_context,
        me=compose.Me(
            name=me_name or "",
            situation=profile["situation"] if profile else None,
            ask=profile["ask"] if profile else None,
            focus_areas=profile["focus_areas"] if profile else (),
        ),
        meeting=compose.Meeting(
            duration_minutes=interview["duration_minutes"],
            scheduled_at=interview["scheduled_at"],
            location=interview["location"],
            meeting_url=interview["meeting_url"],
            agenda=interview["agenda"] or (),
            summary=interview["summary"],
            follow_ups=[
                item.text
                for item in items
                if item.category == NoteCategory.to_follow_up and item.status == NoteStatus.open
            ],
            to_read=[
                compose.Reading(text=item.text, author=item.author, url=item.url)
                for item in items
                if item.category == NoteCategory.to_read
            ],
        ),
    )


def compose_message(
    *,
    session: Session,
    owner: uuid.UUID,
    interview_id: uuid.UUID,
    kind: MessageKind,
    zone: tzinfo,
) -> ComposedMessage:
    interview = crud.get_row(session, interviews, owner=owner, row_id=interview_id, label=INTERVIEW)
    facts = _facts(session, owner, interview)
    context = compose.context_of(facts, zone)
    template = get_template(session=session, owner=owner, kind=kind)
    try:
        subject = compose.one_line(templates.render(template.subject, context))
        body = compose.tidy_body(templates.render(template.body, context))
    except templates.TemplateError as exc:
        # Saved templates were valid when saved; only a placeholder since retired gets here.
        reason = f"Your saved {kind} template no longer works ({exc}); edit or reset it."
        raise Conflict(reason, errors=[_kind_issue(reason, "template")]) from exc
    to = facts.contact.email
    return ComposedMessage(
        kind=kind, to=to, subject=subject, body=body, mailto=compose.mailto(to, subject, body)
    )


# --- Marking sent ----------------------------------------------------------------------------

# When each kind went out, on the interview.
STAMPS = {
    MessageKind.outreach: "outreach_sent_at",
    MessageKind.thank_you: "thank_you_sent_at",
    MessageKind.follow_up: "follow_up_sent_at",
}
# Sending moves the interview on from exactly this state (from any later one only the time
# is recorded).
ADVANCES = {
    MessageKind.outreach: (InterviewStatus.idea, InterviewStatus.outreach_sent),
    MessageKind.thank_you: (InterviewStatus.completed, InterviewStatus.thanked),
}
# A thank-you follows the conversation.
THANKABLE = (InterviewStatus.completed, InterviewStatus.thanked)


def _kind_issue(reason: str, code: str) -> FieldIssue:
    return FieldIssue(field="kind", location="path", reason=reason, code=code)


def _changes(kind: MessageKind, interview: dict[str, Any]) -> dict[str, Any]:
    status = InterviewStatus(interview["status"])
    if kind == MessageKind.thank_you and status not in THANKABLE:
        allowed = ", ".join(THANKABLE)
        reason = (
            f"A thank-you follows the conversation, but this interview is {status}; "
            f"it must be one of: {allowed}."
        )
        raise Conflict(
            reason,
            current_status=status,
            allowed_states=list(THANKABLE),
            errors=[_kind_issue(reason, "state")],
        )
    changes: dict[str, Any] = {STAMPS[kind]: utcnow()}
    advance = ADVANCES.get(kind)
    if advance and status == advance[0]:
        problem = transition_problem(status, advance[1], interview["scheduled_at"] is not None)
        if problem:
            raise Conflict(problem, errors=[_kind_issue(problem, "state")])
        changes["status"] = advance[1]
    return changes


def mark_sent(
    *,
    session: Session,
    owner: uuid.UUID,
    interview_id: uuid.UUID,
    kind: MessageKind,
    expected_version: int | None,
) -> Doc:
    """Records when the message went out and moves the interview (and, for an outreach, its
    contact) forward, in one transaction."""
    for _attempt in range(3):
        current = crud.get_row(
            session, interviews, owner=owner, row_id=interview_id, label=INTERVIEW
        )
        crud.check_version(current["version"], expected_version)
        changes = _changes(kind, current)
        try:
            doc = crud.update_row(
                session,
                interviews,
                owner=owner,
                row_id=interview_id,
                changes=changes,
                expected_version=current["version"],
                label=INTERVIEW,
            )
        except PreconditionFailed:
            if expected_version is not None:
                raise
            continue
        if kind == MessageKind.outreach:
            trail.update_rows(
                session,
                contacts,
                update(contacts)
                .where(
                    crud.owned(contacts, owner),
                    contacts.c.id == current["contact_id"],
                    contacts.c.status == ContactStatus.identified.value,
                )
                .values(status=ContactStatus.reached_out.value, **crud.touched(contacts)),
                owner=owner,
            )
        before = InterviewStatus(current["status"])
        after = InterviewStatus(changes.get("status", before))
        events.interview_status(session, owner, doc, before=before, after=after)
        session.commit()
        return doc
    raise PreconditionFailed("The interview kept changing while we tried to update it; retry.")
