from enum import StrEnum


class SignupMode(StrEnum):
    """Who may create an account once the first one (the admin) exists."""

    closed = "closed"  # only the admin adds users
    invite = "invite"  # anyone holding a single-use invite code
    open = "open"  # anyone
