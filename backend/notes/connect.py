"""Rules for turning a to_connect note into a contact and an introduction (pure).

Matching an offered person against the user's contacts compares emails ignoring case and
LinkedIn profile addresses in one normal form, so the same person typed twice is found.
"""

import re
import uuid
from datetime import date
from urllib.parse import unquote

NAME_MAX = 200
CONTEXT_MAX = 2000

# Contacts made by converting a note get an id derived from the note's, so a retry can tell
# the contact it made from one it found (and two conversions can never both insert one).
CONVERTED_CONTACTS = uuid.UUID("0193a3c0-5b7e-7c2a-9d41-6f0e8b2c4a11")

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_LINKEDIN_SUBDOMAIN = re.compile(r"^(?:[a-z]{2,3}|www|m|mobile)\.linkedin\.com$")


def normalize_linkedin_url(url: str) -> str:
    """One form for a profile address: no scheme, no www. (or country site), no query or
    fragment, no trailing slash, lower case. `https://www.LinkedIn.com/in/Maya/?utm=x` and
    `http://linkedin.com/in/maya` are both `linkedin.com/in/maya`."""
    value = _SCHEME.sub("", url.strip().lower())
    value = re.split(r"[?#]", value, maxsplit=1)[0]
    host, _, path = value.partition("/")
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].removeprefix("www.")
    if _LINKEDIN_SUBDOMAIN.match(host):
        host = "linkedin.com"
    path = unquote(path).strip("/")
    return f"{host}/{path}" if path else host


def email_key(email: str) -> str:
    return email.strip().casefold()


def default_full_name(text: str) -> str | None:
    """The note's text as the person's name, when it can be one: a single non-blank line of
    at most 200 characters ("Maya Okafor")."""
    name = text.strip(" \t\n\r\x0b\x0c")
    if not name or len(name) > NAME_MAX or any(c in name for c in "\n\r\x0b\x0c"):
        return None
    return name


def how_we_met(interviewee: str, on: date) -> str:
    return f"Introduced by {interviewee} in our conversation on {on.isoformat()}"


def referral_context(text: str) -> str:
    """The note's text as the referral's context, cut to what the context holds."""
    text = text.strip()
    return text if len(text) <= CONTEXT_MAX else text[: CONTEXT_MAX - 1].rstrip() + "…"


def converted_contact_id(note_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(CONVERTED_CONTACTS, str(note_id))
