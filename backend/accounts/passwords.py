"""Password hashing (argon2id, argon2-cffi's recommended RFC 9106 parameters) and policy."""

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10

hasher = PasswordHasher()  # RFC 9106 low-memory profile: argon2id, t=3, m=64 MiB, p=4

# A hash to verify against when the account does not exist, so a miss costs the same time
# as a wrong password and timing does not tell which accounts exist.
_DUMMY_HASH = hasher.hash("not a real password, only a timing equaliser")


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("backend.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password is refused, or None. Pure: no database, no hashing."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    lowered = password.lower()
    if lowered in common_passwords():
        return "This is one of the most common passwords; choose another."
    if email and lowered == email.lower():
        return "Do not use your email address as your password."
    if len(set(password)) < 3:
        return "Use more than two different characters."
    return None


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher.check_needs_rehash(stored_hash)
