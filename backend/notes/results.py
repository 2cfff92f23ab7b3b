"""The body of a conversion, which embeds other features' resources.

Apart from models.py because backend.interviews.models imports that module.
"""

from sqlmodel import Field, SQLModel

from backend.contacts.models import ContactPublic
from backend.interviews.models import InterviewPublic
from backend.notes.models import NoteItemPublic
from backend.referrals.models import ReferralPublic


class NoteConversion(SQLModel):
    note_item: NoteItemPublic = Field(
        description="Now done, with contact_id, produced_referral_id and produced_interview_id."
    )
    contact: ContactPublic
    referral: ReferralPublic = Field(description="From the interviewee to the contact.")
    interview: InterviewPublic | None = Field(
        description="The interview planned with the contact; null with create_interview=false."
    )
    matched_existing_contact: bool = Field(
        description="The contact was already in the user's list (false: created now)."
    )
