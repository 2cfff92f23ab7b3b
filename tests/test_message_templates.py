"""The template language, the default messages and composing them: pure functions only."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.messages import compose
from backend.messages.models import MessageKind
from backend.messages.templates import (
    DEFAULTS,
    MAX_DEPTH,
    MAX_PROBLEMS,
    PLACEHOLDERS,
    Block,
    TemplateError,
    TemplateProblem,
    Var,
    parse,
    placeholders_in,
    render,
    validate,
)
from backend.referrals.models import ReferralStatus

# --- Parsing -----------------------------------------------------------------------------------


def test_placeholders_with_or_without_spaces_parse_to_the_same_tree() -> None:
    spellings = ("{{contact.first_name}}", "{{ contact.first_name }}", "{{  contact.first_name\t}}")
    for tag in spellings:
        text = f"Hi {tag}!"
        assert parse(text) == (["Hi ", Var("contact.first_name"), "!"], [])


def test_blocks_parse_into_then_and_otherwise_branches_and_nest() -> None:
    text = "{{#if me.ask}}A{{#if me.situation}}B{{/if}}{{else}}C{{/if}}"
    nodes, problems = parse(text)
    assert problems == []
    assert nodes == [
        Block(
            "me.ask",
            then=["A", Block("me.situation", then=["B"], line=1)],
            otherwise=["C"],
            has_else=True,
            line=1,
        )
    ]
    assert parse("{{ #if me.ask }}x{{ else }}y{{ /if }}")[1] == []


def test_placeholders_in_lists_values_and_conditions() -> None:
    text = "{{contact.title}} {{#if referrer.first_name}}{{me.name}}{{/if}} {{nope}}"
    assert placeholders_in(text) == {"contact.title", "referrer.first_name", "me.name", "nope"}


# --- Validation --------------------------------------------------------------------------------


def reasons(text: str) -> list[str]:
    return [p.reason for p in validate(text)]


def test_a_valid_template_has_no_problems() -> None:
    assert validate("Dear {{contact.first_name}},\n{{#if me.ask}}{{me.ask}}{{else}}Hi{{/if}}") == []
    assert validate("No placeholders at all, and a lone } or }} is fine.") == []


def test_unknown_placeholders_are_named_with_a_suggestion_once_each() -> None:
    text = "Hi {{contact.frist_name}},\n{{#if bogus}}x{{/if}} {{contact.frist_name}}"
    assert validate(text) == [
        TemplateProblem(
            "unknown_placeholder",
            "Line 1: unknown placeholder {{contact.frist_name}}; did you mean "
            "{{contact.first_name}}?",
            1,
        ),
        TemplateProblem(
            "unknown_placeholder",
            "Line 2: unknown placeholder {{bogus}}; see /api/v1/message-placeholders for the "
            "ones that exist.",
            2,
        ),
    ]


def test_unbalanced_blocks_are_named_with_their_lines() -> None:
    assert reasons("{{/if}}") == ["Line 1: {{/if}} closes no {{#if}}."]
    assert reasons("a\n{{else}}") == ["Line 2: {{else}} outside any {{#if}}."]
    assert reasons("{{#if me.ask}}\nx") == ["Line 1: {{#if me.ask}} is never closed with {{/if}}."]
    assert reasons("{{#if me.ask}}a\n{{else}}b\n{{else}}c{{/if}}") == [
        "Line 3: a second {{else}} for the {{#if me.ask}} of line 1."
    ]
    # Misnested: the inner block is closed, the outer one never is.
    assert reasons("{{#if me.ask}}{{#if me.name}}{{/if}}") == [
        "Line 1: {{#if me.ask}} is never closed with {{/if}}."
    ]
    assert [p.code for p in validate("{{/if}}{{#if me.ask}}")] == [
        "unbalanced_block",
        "unbalanced_block",
    ]


def test_malformed_tags_are_refused() -> None:
    assert reasons("{{ foo bar }}") == [
        "Line 1: {{foo bar}} is not a placeholder nor #if, else or /if."
    ]
    assert reasons("{{}}") == ["Line 1: {{}} is not a placeholder nor #if, else or /if."]
    assert reasons("{{#each me.ask}}") == [
        "Line 1: {{#each me.ask}} is not a placeholder nor #if, else or /if."
    ]
    assert reasons("Hi {{contact.first_name") == ["Line 1: a tag opened with {{ is never closed."]
    assert reasons("{{me.name {{me.ask}}") == ["Line 1: a tag opened with {{ is never closed."]
    assert {p.code for p in validate("{{ foo bar }}{{x")} == {"bad_tag"}


def test_blocks_nest_at_most_ten_deep() -> None:
    deep = "{{#if me.ask}}" * MAX_DEPTH + "{{/if}}" * MAX_DEPTH
    assert validate(deep) == []
    deeper = "{{#if me.ask}}" * (MAX_DEPTH + 1) + "{{/if}}" * (MAX_DEPTH + 1)
    assert reasons(deeper) == ["Line 1: blocks nest more than 10 deep."]
    # Thousands of nested blocks are refused, not rendered recursively.
    huge = "{{#if me.ask}}\n" * 2000
    assert len(validate(huge)) == MAX_PROBLEMS


def test_problems_come_in_line_order_and_at_most_twenty() -> None:
    text = "\n".join(f"{{{{unknown{i}}}}}" for i in range(50)) + "\n{{/if}}"
    problems = validate(text)
    assert len(problems) == MAX_PROBLEMS
    assert [p.line for p in problems] == list(range(1, 21))
    assert validate("{{x}}\n{{/if}}\n{{ a b }}") == [
        TemplateProblem(
            "unknown_placeholder",
            "Line 1: unknown placeholder {{x}}; see /api/v1/message-placeholders for the ones "
            "that exist.",
            1,
        ),
        TemplateProblem("unbalanced_block", "Line 2: {{/if}} closes no {{#if}}.", 2),
        TemplateProblem("bad_tag", "Line 3: {{a b}} is not a placeholder nor #if, else or /if.", 3),
    ]


# --- Rendering ---------------------------------------------------------------------------------


def test_render_fills_placeholders_and_leaves_missing_ones_empty() -> None:
    context = {"contact.first_name": "Maya", "me.name": "Ada"}
    assert render("Hi {{ contact.first_name }}, {{me.name}}{{me.ask}}.", context) == "Hi Maya, Ada."


def test_a_block_keeps_its_first_branch_only_for_a_non_blank_value() -> None:
    text = "{{#if referrer.first_name}}via {{referrer.first_name}}{{else}}direct{{/if}}"
    assert render(text, {"referrer.first_name": "Sam"}) == "via Sam"
    assert render(text, {"referrer.first_name": ""}) == "direct"
    assert render(text, {"referrer.first_name": "  \n"}) == "direct"
    assert render(text, {"referrer.first_name": None}) == "direct"
    assert render(text, {}) == "direct"
    assert render("{{#if me.ask}}yes{{/if}}", {}) == ""
    nested = "{{#if me.ask}}A{{#if me.situation}}B{{else}}C{{/if}}{{/if}}"
    assert render(nested, {"me.ask": "x", "me.situation": "y"}) == "AB"
    assert render(nested, {"me.ask": "x"}) == "AC"
    assert render(nested, {"me.situation": "y"}) == ""


def test_a_block_tag_alone_on_its_line_takes_the_line_with_it() -> None:
    text = "Hello\n{{#if me.ask}}\n  {{me.ask}}\n{{else}}\nNo ask\n  {{/if}}  \nBye"
    assert render(text, {"me.ask": "Coffee?"}) == "Hello\n  Coffee?\nBye"
    assert render(text, {}) == "Hello\nNo ask\nBye"
    # Beside other text a block tag is only itself.
    assert render("a {{#if me.ask}}b{{/if}}\nc", {}) == "a \nc"
    # Windows line breaks work the same.
    assert render("x\r\n{{#if me.ask}}\r\ny\r\n{{/if}}\r\nz", {}) == "x\nz"
    # At the very start and end of the template too.
    assert render("{{#if me.ask}}\nA\n{{/if}}", {"me.ask": "1"}) == "A\n"


def test_rendering_an_invalid_template_raises_with_its_problems() -> None:
    with pytest.raises(TemplateError) as raised:
        render("{{nope}} {{/if}}", {})
    assert [p.code for p in raised.value.problems] == ["unknown_placeholder", "unbalanced_block"]


def test_values_are_inserted_as_they_are_never_reparsed() -> None:
    assert render("{{me.ask}}", {"me.ask": "{{me.name}} {{#if x}}"}) == "{{me.name}} {{#if x}}"


# --- Every placeholder, from the facts of an interview ----------------------------------------

WHEN = datetime(2026, 12, 3, 13, 30, tzinfo=UTC)

FACTS = compose.Facts(
    contact=compose.Person(
        full_name="Dr. Maya Okafor",
        title="Head of Grid Storage",
        organization="Tidewater Energy",
        email="maya@tidewater.example",
    ),
    referrer=compose.Person(full_name="Sam Ruiz"),
    referral_context="we worked together at Somecompany.",
    me=compose.Me(
        name="Ada Byron",
        situation="I left Somecompany after 7 years.",
        ask="I'm looking to talk to people about grid storage.",
        focus_areas=["climate", "grid storage"],
    ),
    meeting=compose.Meeting(
        duration_minutes=45,
        scheduled_at=WHEN,
        location="Blue Bottle, 3rd Street",
        meeting_url="https://meet.example/abc",
        agenda=["Her path into storage", "What the team\nlooks for"],
        summary="Storage projects are won on interconnection queues.",
        follow_ups=["Send the recycling report", "Introduce her to Lee"],
        to_read=[
            compose.Reading(text="The Grid", author="Gretchen Bakke"),
            compose.Reading(text="Queue report", url="https://example.org/queue"),
            compose.Reading(text="Notes on storage"),
        ],
    ),
)

EVERY_VALUE = {
    "contact.full_name": "Dr. Maya Okafor",
    "contact.first_name": "Maya",
    "contact.title": "Head of Grid Storage",
    "contact.organization": "Tidewater Energy",
    "referrer.full_name": "Sam Ruiz",
    "referrer.first_name": "Sam",
    "referral.context": "we worked together at Somecompany",
    "me.name": "Ada Byron",
    "me.first_name": "Ada",
    "me.situation": "I left Somecompany after 7 years.",
    "me.ask": "I'm looking to talk to people about grid storage.",
    "me.focus_areas": "climate, grid storage",
    "interview.duration_minutes": "45",
    "interview.when": "Thursday 3 December 2026, 13:30 UTC",
    "interview.place": "Blue Bottle, 3rd Street",
    "interview.topics": "- Her path into storage\n- What the team looks for",
    "interview.learned": "Storage projects are won on interconnection queues.",
    "interview.follow_ups": "- Send the recycling report\n- Introduce her to Lee",
    "interview.to_read": "- The Grid, by Gretchen Bakke\n"
    "- Queue report (https://example.org/queue)\n- Notes on storage",
}


def test_the_catalogue_describes_every_placeholder_the_context_fills() -> None:
    assert set(PLACEHOLDERS) == set(EVERY_VALUE)
    assert all(description.strip() for description in PLACEHOLDERS.values())


def test_every_placeholder_renders_from_the_facts() -> None:
    context = compose.context_of(FACTS)
    assert context == EVERY_VALUE
    for name, value in EVERY_VALUE.items():
        assert render(f"[{{{{ {name} }}}}]", context) == f"[{value}]"


def test_empty_facts_give_empty_values() -> None:
    bare = compose.Facts(
        contact=compose.Person(full_name="Linus"),
        me=compose.Me(name="Ada"),
        meeting=compose.Meeting(duration_minutes=30, meeting_url="https://meet.example/x"),
    )
    context = compose.context_of(bare)
    assert context == {
        **dict.fromkeys(PLACEHOLDERS, ""),
        "contact.full_name": "Linus",
        "contact.first_name": "Linus",
        "me.name": "Ada",
        "me.first_name": "Ada",
        "interview.duration_minutes": "30",
        "interview.place": "https://meet.example/x",
    }


def test_referral_context_is_dropped_without_a_referrer() -> None:
    facts = compose.Facts(
        contact=compose.Person(full_name="Linus"),
        me=compose.Me(name="Ada"),
        meeting=compose.Meeting(duration_minutes=30),
        referral_context="orphan context",
    )
    assert compose.context_of(facts)["referral.context"] == ""


def test_when_is_in_the_zone_asked_for() -> None:
    assert compose.when(WHEN, ZoneInfo("Europe/Paris")) == "Thursday 3 December 2026, 14:30 CET"
    assert compose.when(WHEN, ZoneInfo("America/New_York")) == (
        "Thursday 3 December 2026, 08:30 EST"
    )
    assert (
        compose.when(datetime(2027, 1, 1, 0, 5, tzinfo=UTC)) == "Friday 1 January 2027, 00:05 UTC"
    )
    assert compose.when(None) == ""


def test_first_names_skip_honorifics() -> None:
    assert compose.first_name("Maya Okafor") == "Maya"
    assert compose.first_name("Dr. Maya Okafor") == "Maya"
    assert compose.first_name("prof Alan  Kay") == "Alan"
    assert compose.first_name("Dr.") == "Dr."
    assert compose.first_name("Cher") == "Cher"
    assert compose.first_name("  ") == ""


def test_bullets_one_line_and_tidy_body() -> None:
    assert compose.bullets(["a", "", "  ", "b\nc"]) == "- a\n- b c"
    assert compose.bullets([]) == ""
    assert compose.one_line("  Thanks\nfor  your\r\ntime ") == "Thanks for your time"
    assert compose.tidy_body("\n\nHi  \r\n\n\n\nthere\t\n\n") == "Hi\n\nthere"


# --- The referrer -------------------------------------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def edge(
    status: ReferralStatus = ReferralStatus.offered,
    *,
    direct: bool = False,
    in_interview: bool = False,
    age: int = 0,
) -> compose.Edge:
    return compose.Edge(
        id=uuid.uuid4(),
        from_contact_id=None if direct else uuid.uuid4(),
        interview_id=uuid.uuid4() if in_interview else None,
        status=status,
        context=None,
        created_at=T0 - timedelta(days=age),
    )


def test_no_referrer_without_edges_or_with_only_declined_ones() -> None:
    assert compose.pick_referral([]) is None
    assert compose.pick_referral([edge(ReferralStatus.declined)]) is None


def test_no_referrer_when_the_user_knows_them_directly() -> None:
    assert compose.pick_referral([edge(direct=True), edge(ReferralStatus.met)]) is None
    # ...unless that direct edge was declined.
    referred = edge(ReferralStatus.met)
    assert compose.pick_referral([edge(ReferralStatus.declined, direct=True), referred]) == referred


def test_the_edge_offered_in_a_conversation_wins_then_progress_then_newest() -> None:
    offered_in_interview = edge(ReferralStatus.offered, in_interview=True)
    met = edge(ReferralStatus.met)
    declined_in_interview = edge(ReferralStatus.declined, in_interview=True)
    edges = [met, offered_in_interview, declined_in_interview]
    assert compose.pick_referral(edges) == offered_in_interview
    ladder = [edge(s) for s in ("offered", "introduced", "contacted", "met")]
    for best in range(4):
        assert compose.pick_referral(ladder[: best + 1]) == ladder[best]
    older, newer = edge(age=3), edge(age=1)
    assert compose.pick_referral([older, newer]) == newer


# --- mailto --------------------------------------------------------------------------------------


def test_mailto_percent_encodes_and_uses_crlf() -> None:
    uri = compose.mailto("maya+work@tidewater.example", "Hi & thanks?", "Line 1\nLine 2 é #3")
    assert uri == (
        "mailto:maya%2Bwork@tidewater.example?subject=Hi%20%26%20thanks%3F"
        "&body=Line%201%0D%0ALine%202%20%C3%A9%20%233"
    )


def test_mailto_leaves_out_an_unknown_recipient() -> None:
    assert compose.mailto(None, "S", "a\r\nb") == "mailto:?subject=S&body=a%0D%0Ab"
    assert compose.mailto("", "S", "") == "mailto:?subject=S&body="


# --- The default messages -----------------------------------------------------------------------


def test_the_defaults_are_valid_and_cover_every_kind() -> None:
    assert set(DEFAULTS) == set(MessageKind)
    for default in DEFAULTS.values():
        assert validate(default.subject) == []
        assert validate(default.body) == []


def message(kind: MessageKind, facts: compose.Facts) -> tuple[str, str]:
    context = compose.context_of(facts)
    default = DEFAULTS[kind]
    return (
        compose.one_line(render(default.subject, context)),
        compose.tidy_body(render(default.body, context)),
    )


NOBODY = compose.Facts(
    contact=compose.Person(full_name="Maya Okafor"),
    me=compose.Me(name="Ada Byron"),
    meeting=compose.Meeting(duration_minutes=45),
)

ASK = (
    "Would you have 30 to 60 minutes in the next week or two for a coffee or a call? I would "
    "love to learn about your background and hear any advice you might have. I'm happy to work "
    "around your schedule."
)


def test_outreach_names_the_referrer_first_then_situation_then_ask() -> None:
    assert message(MessageKind.outreach, FACTS) == (
        "Sam suggested I get in touch",
        "Dear Maya,\n\n"
        "Sam suggested I reach out to you — we worked together at Somecompany.\n\n"
        "I left Somecompany after 7 years.\n\n"
        "I'm looking to talk to people about grid storage.\n\n"
        f"{ASK}\n\n"
        "Thank you for considering it,\nAda Byron",
    )


def test_outreach_without_a_referrer() -> None:
    facts = compose.Facts(
        contact=compose.Person(full_name="Maya Okafor", organization="Tidewater Energy"),
        me=compose.Me(name="Ada Byron", ask="I'm curious about storage."),
        meeting=compose.Meeting(duration_minutes=45),
    )
    assert message(MessageKind.outreach, facts) == (
        "A short conversation about your work",
        "Dear Maya,\n\n"
        "I'm reaching out because of your work at Tidewater Energy.\n\n"
        "I'm curious about storage.\n\n"
        f"{ASK}\n\n"
        "Thank you for considering it,\nAda Byron",
    )
    assert message(MessageKind.outreach, NOBODY) == (
        "A short conversation about your work",
        "Dear Maya,\n\n"
        "I'm reaching out because of your work.\n\n"
        f"{ASK}\n\n"
        "Thank you for considering it,\nAda Byron",
    )


def test_outreach_with_a_referrer_but_no_context() -> None:
    facts = compose.Facts(
        contact=NOBODY.contact, me=NOBODY.me, meeting=NOBODY.meeting,
        referrer=compose.Person(full_name="Sam Ruiz"),
    )  # fmt: skip
    assert message(MessageKind.outreach, facts)[1].split("\n\n")[1] == (
        "Sam suggested I reach out to you."
    )


def test_thank_you_lists_what_was_learned_and_every_open_follow_up() -> None:
    assert message(MessageKind.thank_you, FACTS) == (
        "Thank you for your time",
        "Dear Maya,\n\n"
        "Thank you for taking the time to talk with me. I really appreciated your openness and "
        "your advice.\n\n"
        "What I took away from our conversation:\n"
        "Storage projects are won on interconnection queues.\n\n"
        "As promised, I will follow up on:\n"
        "- Send the recycling report\n- Introduce her to Lee\n\n"
        "I'll let Sam know how helpful the introduction was.\n\n"
        "With thanks,\nAda Byron",
    )


def test_thank_you_without_a_referrer_or_notes() -> None:
    assert message(MessageKind.thank_you, NOBODY) == (
        "Thank you for your time",
        "Dear Maya,\n\n"
        "Thank you for taking the time to talk with me. I really appreciated your openness and "
        "your advice.\n\n"
        "With thanks,\nAda Byron",
    )


def test_follow_up_is_a_short_gentle_nudge() -> None:
    nudge = "I know how busy things can get, so I wanted to gently follow up on my earlier note. "
    rest = (
        "I would still value 30 minutes of your time whenever it suits you — and if now is not "
        "a good moment, no worries at all."
    )
    assert message(MessageKind.follow_up, FACTS) == (
        "Following up",
        f"Dear Maya,\n\n{nudge}Sam thought you would be a great person to talk to, and {rest}"
        "\n\nBest wishes,\nAda Byron",
    )
    assert message(MessageKind.follow_up, NOBODY) == (
        "Following up",
        f"Dear Maya,\n\n{nudge}{rest}\n\nBest wishes,\nAda Byron",
    )
