"""Message templates as a tiny, pure language (no database, no HTTP).

- `{{ contact.first_name }}` is replaced by the value of that placeholder (empty if it has none).
- `{{#if referrer.first_name}}…{{else}}…{{/if}}` keeps the first branch when the placeholder
  has a non-blank value and the (optional) second branch otherwise. Blocks may nest.
- A block tag alone on its line takes the whole line with it, so templates can put their
  blocks on lines of their own without leaving blank lines behind (as Mustache does).

Only the placeholders of `PLACEHOLDERS` exist; `validate` names every unknown one and every
unbalanced block, so a template is refused when it is saved, not when it is used.
"""

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from backend.messages.models import MessageKind

PLACEHOLDERS: dict[str, str] = {
    "contact.full_name": "The interviewee's full name, e.g. Maya Okafor.",
    "contact.first_name": "The interviewee's first name, e.g. Maya.",
    "contact.title": "The interviewee's job title, e.g. Head of Grid Storage.",
    "contact.organization": "The name of the interviewee's organization.",
    "referrer.full_name": "Who suggested this conversation (the best referral into the "
    "interviewee); empty when the user knows them directly or nobody referred.",
    "referrer.first_name": "The referrer's first name; empty when nobody referred.",
    "referral.context": "How the user knows the referrer, from the referral (no final "
    'full stop), e.g. "we worked together at Somecompany".',
    "me.name": "The user's own display name.",
    "me.first_name": "The user's own first name.",
    "me.situation": "The user's situation, from the profile.",
    "me.ask": "The user's one-paragraph ask, from the profile.",
    "me.focus_areas": "The user's focus areas, from the profile, separated by commas.",
    "interview.duration_minutes": "The planned length of the conversation, in minutes.",
    "interview.when": "When the conversation is (or was), e.g. Thursday 3 December 2026, "
    "13:30 UTC; empty until it is scheduled.",
    "interview.place": "Where it is: the location, or else the meeting link.",
    "interview.topics": "The agenda, one topic per line as a bulleted list.",
    "interview.learned": "What the user learned: the interview's summary.",
    "interview.follow_ups": "Every open To Follow Up note item of the interview, as a "
    "bulleted list.",
    "interview.to_read": "The reading items (To Read notes) of the interview, as a bulleted "
    "list with author and link when known.",
}

_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_VAR = re.compile(rf"\s*({_NAME})\s*")
_IF = re.compile(rf"\s*#if\s+({_NAME})\s*")
_ELSE = re.compile(r"\s*else\s*")
_END = re.compile(r"\s*/if\s*")
# A template full of mistakes is reported by its first few, not by thousands.
MAX_PROBLEMS = 20
MAX_DEPTH = 10


@dataclass(frozen=True)
class TemplateProblem:
    code: str  # unknown_placeholder, unbalanced_block or bad_tag
    reason: str
    line: int


class TemplateError(ValueError):
    def __init__(self, problems: list[TemplateProblem]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Var:
    name: str


@dataclass
class Block:
    name: str
    then: list["Node"] = field(default_factory=list)
    otherwise: list["Node"] = field(default_factory=list)
    has_else: bool = False
    line: int = 0


Node = str | Var | Block


@dataclass(frozen=True)
class _Tag:
    kind: str  # var, if, else, end
    name: str
    start: int  # where the tag, or the standalone line holding it, begins
    end: int  # ...and ends (after its newline)
    line: int


def _classify(inner: str) -> tuple[str, str] | None:
    for kind, pattern in (("if", _IF), ("else", _ELSE), ("end", _END), ("var", _VAR)):
        found = pattern.fullmatch(inner)
        if found:
            return kind, found.group(1) if found.groups() else ""
    return None


def _standalone_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole line when a block tag is the only thing on it, else just the tag."""
    line_start = text.rfind("\n", 0, start) + 1
    newline = text.find("\n", end)
    line_end = len(text) if newline == -1 else newline + 1
    if text[line_start:start].strip() or text[end:line_end].strip():
        return start, end
    return line_start, line_end


def _scan(text: str) -> tuple[list[_Tag], list[TemplateProblem]]:
    tags: list[_Tag] = []
    problems: list[TemplateProblem] = []
    position = 0
    line, counted = 1, 0
    while True:
        start = text.find("{{", position)
        if start == -1:
            return tags, problems
        line += text.count("\n", counted, start)
        counted = start
        end = text.find("}}", start + 2)
        following = text.find("{{", start + 2)
        if end == -1 or (following != -1 and following < end):
            problems.append(
                TemplateProblem(
                    "bad_tag", f"Line {line}: a tag opened with {{{{ is never closed.", line
                )
            )
            if end == -1:
                return tags, problems
            position = following
            continue
        inner = text[start + 2 : end]
        classified = _classify(inner)
        if classified is None:
            shown = inner.strip()[:40]
            problems.append(
                TemplateProblem(
                    "bad_tag",
                    f"Line {line}: {{{{{shown}}}}} is not a placeholder nor #if, else or /if.",
                    line,
                )
            )
        else:
            kind, name = classified
            span = (start, end + 2)
            if kind != "var":
                span = _standalone_span(text, start, end + 2)
            tags.append(_Tag(kind, name, span[0], span[1], line))
        position = end + 2


def _unknown(name: str, line: int) -> TemplateProblem:
    reason = f"Line {line}: unknown placeholder {{{{{name}}}}}"
    close = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
    if close:
        reason += f"; did you mean {{{{{close[0]}}}}}?"
    else:
        reason += "; see /api/v1/message-placeholders for the ones that exist."
    return TemplateProblem("unknown_placeholder", reason, line)


def parse(text: str) -> tuple[list[Node], list[TemplateProblem]]:
    """The template's tree and everything wrong with it (an empty list when it is valid)."""
    text = text.replace("\r\n", "\n")
    tags, problems = _scan(text)
    root: list[Node] = []
    stack: list[Block] = []
    unknown: dict[str, int] = {}  # each unknown name is reported once

    def into() -> list[Node]:
        if not stack:
            return root
        block = stack[-1]
        return block.otherwise if block.has_else else block.then

    position = 0
    for tag in tags:
        if tag.start > position:
            into().append(text[position : tag.start])
        position = max(position, tag.end)
        if tag.kind in ("var", "if") and tag.name not in PLACEHOLDERS and tag.name not in unknown:
            unknown[tag.name] = tag.line
            problems.append(_unknown(tag.name, tag.line))
        if tag.kind == "var":
            into().append(Var(tag.name))
        elif tag.kind == "if":
            if len(stack) == MAX_DEPTH:
                problems.append(
                    TemplateProblem(
                        "unbalanced_block",
                        f"Line {tag.line}: blocks nest more than {MAX_DEPTH} deep.",
                        tag.line,
                    )
                )
            block = Block(tag.name, line=tag.line)
            into().append(block)
            stack.append(block)
        elif tag.kind == "else":
            if not stack:
                problems.append(
                    TemplateProblem(
                        "unbalanced_block",
                        f"Line {tag.line}: {{{{else}}}} outside any {{{{#if}}}}.",
                        tag.line,
                    )
                )
            elif stack[-1].has_else:
                problems.append(
                    TemplateProblem(
                        "unbalanced_block",
                        f"Line {tag.line}: a second {{{{else}}}} for the {{{{#if "
                        f"{stack[-1].name}}}}} of line {stack[-1].line}.",
                        tag.line,
                    )
                )
            else:
                stack[-1].has_else = True
        elif stack:
            stack.pop()
        else:
            problems.append(
                TemplateProblem(
                    "unbalanced_block",
                    f"Line {tag.line}: {{{{/if}}}} closes no {{{{#if}}}}.",
                    tag.line,
                )
            )
    if position < len(text):
        into().append(text[position:])
    for block in reversed(stack):
        problems.append(
            TemplateProblem(
                "unbalanced_block",
                f"Line {block.line}: {{{{#if {block.name}}}}} is never closed with {{{{/if}}}}.",
                block.line,
            )
        )
    problems.sort(key=lambda p: p.line)
    return root, problems[:MAX_PROBLEMS]


def validate(text: str) -> list[TemplateProblem]:
    """Every unknown placeholder, malformed tag and unbalanced block, in order found."""
    return parse(text)[1]


def placeholders_in(text: str) -> set[str]:
    """The placeholder names a template mentions, in values and conditions."""
    tags, _problems = _scan(text.replace("\r\n", "\n"))
    return {tag.name for tag in tags if tag.kind in ("var", "if")}


def _emit(nodes: list[Node], context: Mapping[str, str | None], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Var):
            out.append(context.get(node.name) or "")
        else:
            chosen = node.then if (context.get(node.name) or "").strip() else node.otherwise
            _emit(chosen, context, out)


def render(text: str, context: Mapping[str, str | None]) -> str:
    """The template filled in from `context` (name → text; a missing name counts as empty).

    Raises TemplateError when the template is not valid."""
    nodes, problems = parse(text)
    if problems:
        raise TemplateError(problems)
    out: list[str] = []
    _emit(nodes, context, out)
    return "".join(out)


@dataclass(frozen=True)
class DefaultTemplate:
    subject: str
    body: str


OUTREACH = DefaultTemplate(
    subject="{{#if referrer.first_name}}{{referrer.first_name}} suggested I get in touch"
    "{{else}}A short conversation about your work{{/if}}",
    body="""Dear {{contact.first_name}},

{{#if referrer.first_name}}
{{referrer.first_name}} suggested I reach out to you\
{{#if referral.context}} — {{referral.context}}{{/if}}.
{{else}}
I'm reaching out because of your work\
{{#if contact.organization}} at {{contact.organization}}{{/if}}.
{{/if}}
{{#if me.situation}}

{{me.situation}}
{{/if}}

{{#if me.ask}}
{{me.ask}}

{{/if}}
Would you have 30 to 60 minutes in the next week or two for a coffee or a call? I would love \
to learn about your background and hear any advice you might have. I'm happy to work around \
your schedule.

Thank you for considering it,
{{me.name}}
""",
)

THANK_YOU = DefaultTemplate(
    subject="Thank you for your time",
    body="""Dear {{contact.first_name}},

Thank you for taking the time to talk with me. I really appreciated your openness and your advice.
{{#if interview.learned}}

What I took away from our conversation:
{{interview.learned}}
{{/if}}
{{#if interview.follow_ups}}

As promised, I will follow up on:
{{interview.follow_ups}}
{{/if}}
{{#if referrer.first_name}}

I'll let {{referrer.first_name}} know how helpful the introduction was.
{{/if}}

With thanks,
{{me.name}}
""",
)

FOLLOW_UP = DefaultTemplate(
    subject="Following up",
    body="""Dear {{contact.first_name}},

I know how busy things can get, so I wanted to gently follow up on my earlier note. \
{{#if referrer.first_name}}{{referrer.first_name}} thought you would be a great person to \
talk to, and {{/if}}I would still value 30 minutes of your time whenever it suits \
you — and if now is not a good moment, no worries at all.

Best wishes,
{{me.name}}
""",
)

DEFAULTS: dict[MessageKind, DefaultTemplate] = {
    MessageKind.outreach: OUTREACH,
    MessageKind.thank_you: THANK_YOU,
    MessageKind.follow_up: FOLLOW_UP,
}
