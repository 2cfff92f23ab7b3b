"""Checking a backup and turning it into rows (pure).

A backup restores only whole: every reference between its records must point at a record of
the same backup, and nothing in it may break a rule the database enforces (one organization
per name, one edge per pair of people, one template per kind), or the restore is refused
with the field at fault before anything is written. When some id of the backup is taken on
this server, every record gets a new id, consistently, so the relations stay as they were.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from backend.fields import name_key
from backend.messages import templates
from backend.transfer.merge import ordered_ids
from backend.transfer.models import Backup

# The kinds of records with ids, in an order that inserts every row after what it points at.
KINDS = (
    "message_templates",
    "organizations",
    "contacts",
    "interviews",
    "referrals",
    "note_items",
    "opportunities",
)
# Columns stored as JSON: written in JSON form (instants as text), as the API writes them.
JSON_COLUMNS = frozenset({"tags", "agenda", "checklist", "proposed_slots"})
MAX_ISSUES = 20


@dataclass(frozen=True)
class BackupIssue:
    field: str
    reason: str
    code: str  # dangling, duplicate, self_loop or a template problem's


def status_of(issues: list[BackupIssue]) -> int:
    """As the API answers the same mistakes one at a time: a reference to a record that
    is not there 404, a second record where one is allowed 409, the rest 422."""
    codes = {issue.code for issue in issues}
    if "dangling" in codes:
        return 404
    return 409 if "duplicate" in codes else 422


def check_backup(backup: Backup) -> list[BackupIssue]:
    """Every reason the backup cannot be restored as it is (the first MAX_ISSUES)."""
    issues: list[BackupIssue] = []
    ids: dict[str, set[uuid.UUID]] = {}
    for kind in KINDS:
        ids[kind] = set()
        for i, record in enumerate(getattr(backup, kind)):
            if record.id in ids[kind]:
                issues.append(BackupIssue(f"{kind}.{i}.id", "appears twice", "duplicate"))
            ids[kind].add(record.id)

    def ref(kind: str, where: str, value: uuid.UUID | None) -> None:
        if value is not None and value not in ids[kind]:
            reason = f"No {kind.removesuffix('s').replace('_', ' ')} with id {value} in the backup."
            issues.append(BackupIssue(where, reason, "dangling"))

    kinds = (t.kind for t in backup.message_templates)
    _unique(issues, kinds, "message_templates.{}.kind")
    for i, template in enumerate(backup.message_templates):
        for name in ("subject", "body"):
            for problem in templates.validate(getattr(template, name)):
                where = f"message_templates.{i}.{name}"
                issues.append(BackupIssue(where, problem.reason, problem.code))
    names = (name_key(o.name) for o in backup.organizations)
    _unique(issues, names, "organizations.{}.name")
    for i, contact in enumerate(backup.contacts):
        ref("organizations", f"contacts.{i}.organization_id", contact.organization_id)
    for i, interview in enumerate(backup.interviews):
        ref("contacts", f"interviews.{i}.contact_id", interview.contact_id)
    for i, referral in enumerate(backup.referrals):
        ref("contacts", f"referrals.{i}.from_contact_id", referral.from_contact_id)
        ref("contacts", f"referrals.{i}.to_contact_id", referral.to_contact_id)
        ref("interviews", f"referrals.{i}.interview_id", referral.interview_id)
        if referral.from_contact_id == referral.to_contact_id:
            reason = "A contact cannot introduce the user to themself."
            issues.append(BackupIssue(f"referrals.{i}.to_contact_id", reason, "self_loop"))
    pairs = ((r.from_contact_id, r.to_contact_id) for r in backup.referrals)
    _unique(issues, pairs, "referrals.{}.to_contact_id")
    for i, note in enumerate(backup.note_items):
        ref("interviews", f"note_items.{i}.interview_id", note.interview_id)
        ref("contacts", f"note_items.{i}.contact_id", note.contact_id)
        ref("referrals", f"note_items.{i}.produced_referral_id", note.produced_referral_id)
        ref("interviews", f"note_items.{i}.produced_interview_id", note.produced_interview_id)
    for i, opportunity in enumerate(backup.opportunities):
        ref("contacts", f"opportunities.{i}.contact_id", opportunity.contact_id)
        ref("organizations", f"opportunities.{i}.organization_id", opportunity.organization_id)
        for j, interview_id in enumerate(opportunity.interview_ids):
            ref("interviews", f"opportunities.{i}.interview_ids.{j}", interview_id)
        _unique(issues, opportunity.interview_ids, f"opportunities.{i}.interview_ids.{{}}")
    return issues[:MAX_ISSUES]


def _unique(issues: list[BackupIssue], values: Iterable[Any], where: str) -> None:
    """A duplicate among `values`, reported at `where` with its index in place of {}."""
    seen: set[Any] = set()
    for i, value in enumerate(values):
        if value in seen:
            reason = "repeats an earlier record's value"
            issues.append(BackupIssue(where.format(i), reason, "duplicate"))
        seen.add(value)


def all_ids(backup: Backup) -> dict[str, list[uuid.UUID]]:
    return {kind: [record.id for record in getattr(backup, kind)] for kind in KINDS}


IdMap = dict[str, dict[uuid.UUID, uuid.UUID]]

# Each reference field, and the kind of record it names.
_REFERENCES = {
    "organization_id": "organizations",
    "contact_id": "contacts",
    "from_contact_id": "contacts",
    "to_contact_id": "contacts",
    "interview_id": "interviews",
    "produced_referral_id": "referrals",
    "produced_interview_id": "interviews",
}


def new_ids(backup: Backup, new_id: Callable[[], uuid.UUID] | None = None) -> IdMap:
    """A fresh id for every record, by kind, drawn in the order of the old ids: whatever
    sorted by id (ties of equal timestamps, an opportunity's interviews) sorts the same."""
    new_id = new_id or ordered_ids()
    old = sorted((record_id, kind) for kind, ids in all_ids(backup).items() for record_id in ids)
    id_map: IdMap = {kind: {} for kind in KINDS}
    for record_id, kind in old:
        id_map[kind][record_id] = new_id()
    return id_map


def table_rows(
    backup: Backup, owner: uuid.UUID, id_map: IdMap | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The rows to insert, by table, in insert order; ids translated through `id_map`."""

    def new(kind: str, value: uuid.UUID | None) -> uuid.UUID | None:
        if value is None or id_map is None:
            return value
        return id_map[kind][value]

    rows: dict[str, list[dict[str, Any]]] = {}
    links: list[dict[str, Any]] = []
    for kind in KINDS:
        rows[kind] = []
        for record in getattr(backup, kind):
            values = record.model_dump(exclude=JSON_COLUMNS | {"interview_ids"})
            values.update(record.model_dump(mode="json", include=JSON_COLUMNS))
            values["id"] = new(kind, record.id)
            for name, target in _REFERENCES.items():
                if name in values:
                    values[name] = new(target, values[name])
            if kind in ("organizations", "contacts"):
                values["name_key"] = name_key(values.get("name") or values["full_name"])
            if kind == "message_templates":
                values["kind"] = record.kind.value
            rows[kind].append({**values, "owner_id": owner})
            if kind == "opportunities":
                links += [
                    {"opportunity_id": values["id"], "interview_id": new("interviews", i)}
                    for i in record.interview_ids
                ]
    rows["opportunity_interviews"] = links
    return rows


def profile_values(backup: Backup) -> dict[str, Any] | None:
    if backup.profile is None:
        return None
    values = backup.profile.model_dump(exclude={"focus_areas"})
    values["focus_areas"] = list(backup.profile.focus_areas)
    return values
