"""How well a contact matches what the user is looking for, with the reasons why.

Pure: the caller passes the profile's focus areas, the contact's and its organization's tags,
the organization's interest level, how many hops the contact is from the user, and the
contact's status. The score is the sum of the reasons' points, 0-100:

- contact_tags: 15 for each focus area among the contact's own tags,
- organization_tags: 10 for each other focus area among the organization's tags (the two
  together at most 50),
- interest_level: 5 per level of the organization's interest (1-5, so up to 25),
- nearness: 20 for someone the user knows directly, 15 at two hops, 10 at three, 5 at four,
- met: 5 when the user has already met them (status met, keep_in_touch or dormant).

Tags match focus areas ignoring case and runs of blanks. Factors worth nothing are left out.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

CONTACT_TAG_POINTS = 15
ORGANIZATION_TAG_POINTS = 10
TAGS_MAX = 50
INTEREST_POINTS = 5
NEARNESS_POINTS = {1: 20, 2: 15, 3: 10, 4: 5}
NEAREST = max(NEARNESS_POINTS)  # farther than this, nearness is worth nothing
MET_POINTS = 5
MET_STATUSES = frozenset({"met", "keep_in_touch", "dormant"})
MAX_SCORE = TAGS_MAX + 5 * INTEREST_POINTS + max(NEARNESS_POINTS.values()) + MET_POINTS


@dataclass(frozen=True)
class Reason:
    factor: str
    points: int
    detail: str


@dataclass(frozen=True)
class Alignment:
    score: int
    reasons: list[Reason] = field(default_factory=list)


@lru_cache(maxsize=4096)
def tag_key(tag: str) -> str:
    """Ranking every contact compares the same few tags over and over: cached."""
    return " ".join(tag.split()).casefold()


@lru_cache(maxsize=64)
def _focus(areas: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each focus area once, as (key, first spelling), in the user's order."""
    first_spelling: dict[str, str] = {}
    for area in areas:
        first_spelling.setdefault(tag_key(area), area)
    return tuple(first_spelling.items())


def _matches(focus: tuple[tuple[str, str], ...], tags: Iterable[str]) -> list[str]:
    """The focus areas (as the user spelled them) found among `tags`, in the user's order."""
    keys = {tag_key(tag) for tag in tags} if focus else set()
    return [area for key, area in focus if key in keys] if keys else []


def _listing(items: Sequence[str]) -> str:
    return ", ".join(items)


def alignment(
    *,
    focus_areas: Sequence[str],
    contact_tags: Iterable[str],
    organization_tags: Iterable[str] = (),
    interest_level: int | None = None,
    depth: int | None = None,
    status: str | None = None,
) -> Alignment:
    """The contact's alignment score and the reasons that add up to it."""
    reasons: list[Reason] = []
    focus = _focus(tuple(focus_areas))
    shared = _matches(focus, contact_tags)
    if shared:
        points = min(CONTACT_TAG_POINTS * len(shared), TAGS_MAX)
        reasons.append(
            Reason("contact_tags", points, f"Tagged {_listing(shared)}, like your focus areas.")
        )
    through_org = [area for area in _matches(focus, organization_tags) if area not in shared]
    room = TAGS_MAX - sum(r.points for r in reasons)
    if through_org and room > 0:
        points = min(ORGANIZATION_TAG_POINTS * len(through_org), room)
        reasons.append(
            Reason(
                "organization_tags",
                points,
                f"Works at an organization tagged {_listing(through_org)}.",
            )
        )
    if interest_level:
        level = max(1, min(interest_level, 5))
        reasons.append(
            Reason(
                "interest_level",
                INTEREST_POINTS * level,
                f"You rated their organization {level} of 5.",
            )
        )
    if depth is not None and depth in NEARNESS_POINTS:
        detail = (
            "You know them directly."
            if depth == 1
            else f"{depth} hops from you: {depth - 1} introduction{'s' if depth > 2 else ''} away."
        )
        reasons.append(Reason("nearness", NEARNESS_POINTS[depth], detail))
    if status in MET_STATUSES:
        reasons.append(Reason("met", MET_POINTS, "You have met them."))
    return Alignment(sum(r.points for r in reasons), reasons)
