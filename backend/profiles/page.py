"""The public share page as HTML text (pure: no database, no HTTP).

Every value the user wrote goes through `html.escape`, and the page has no script, no inline
style and no external resource, so it renders under the app's strict Content-Security-Policy.
"""

import re
from html import escape

from backend.profiles.models import SharedProfile

# What a shared page answers with, on top of the app's security headers: never cached, never
# indexed, and a click on a link in it tells the next site nothing about where it came from.
PUBLIC_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}

_HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
</head>
<body>
<main>
"""
_TAIL = """</main>
<footer><p>Shared from Nexthop.</p></footer>
</body>
</html>
"""


def paragraphs(text: str) -> str:
    """Blank lines separate paragraphs; single line breaks stay line breaks."""
    out = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [escape(line.strip()) for line in block.split("\n")]
        out.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(out)


def _section(heading: str, inner: str) -> str:
    return f"<section>\n<h2>{heading}</h2>\n{inner}\n</section>\n"


def render_page(shared: SharedProfile) -> str:
    name = escape(shared.display_name)
    parts = [_HEAD.format(title=f"{name} · Nexthop"), f"<h1>{name}</h1>\n"]
    if shared.ask and shared.ask.strip():
        parts.append(_section("What I am looking for", paragraphs(shared.ask)))
    if shared.situation and shared.situation.strip():
        parts.append(_section("Where I am", paragraphs(shared.situation)))
    if shared.focus_areas:
        items = "\n".join(f"<li>{escape(area)}</li>" for area in shared.focus_areas)
        parts.append(_section("What I am curious about", f"<ul>\n{items}\n</ul>"))
    if shared.learn_from and shared.learn_from.strip():
        parts.append(_section("Who I would love to learn from", paragraphs(shared.learn_from)))
    parts.append(_TAIL)
    return "".join(parts)


def not_found_page() -> str:
    return (
        _HEAD.format(title="Link not found · Nexthop")
        + "<h1>This link is not active</h1>\n"
        + "<p>It may have been mistyped, or its owner has turned sharing off.</p>\n"
        + _TAIL
    )
