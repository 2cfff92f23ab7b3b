"""What a hit is called in a list of results (pure)."""

from datetime import datetime

from backend.notes.models import NoteCategory

CATEGORY_LABELS = {
    NoteCategory.to_connect: "To connect",
    NoteCategory.to_follow_up: "To follow up",
    NoteCategory.to_read: "To read",
    NoteCategory.to_look_up: "To look up",
    NoteCategory.to_do: "To do",
    NoteCategory.to_think_about: "To think about",
}
SEPARATOR = " · "


def interview_title(interviewee: str, scheduled_at: datetime | None) -> str:
    """The name and the UTC date ("Maria Lopez · 2026-12-03"); the name alone if unscheduled."""
    if scheduled_at is None:
        return interviewee
    return f"{interviewee}{SEPARATOR}{scheduled_at.date().isoformat()}"


def note_title(category: str, interviewee: str) -> str:
    """The note's category and whom the conversation was with ("To follow up · Maria Lopez")."""
    label = CATEGORY_LABELS[NoteCategory(category)]
    return f"{label}{SEPARATOR}{interviewee}" if interviewee else label
