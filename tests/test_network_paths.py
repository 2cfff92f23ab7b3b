"""The pure network rules: warm paths, degrees, depths, alignment and the stats arithmetic."""

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.network import stats
from backend.network.alignment import Reason, alignment
from backend.network.paths import Edge, Path, depths, first_degree, introducers, warm_paths


def edge(spec: str, status: str = "offered", **fields: str) -> Edge:
    """`"a>b"` is a referral from a to b; `">a"` is someone the user knows directly."""
    source, target = spec.split(">")
    return Edge(f"{source or 'me'}>{target}", source or None, target, status, **fields)


def chains(found: list[Path]) -> list[str]:
    """Each path as `me>a>b`."""
    return [">".join(["me", *(hop.to_id for hop in path.hops)]) for path in found]


# --- warm_paths -----------------------------------------------------------------------------


def test_a_target_the_user_knows_directly_is_one_hop() -> None:
    direct = edge(">a", "met", context="Old colleague", interview_id="i1")
    found = warm_paths([direct, edge("a>b")], ["a"])
    assert chains(found) == ["me>a"]
    assert found[0].hops == (direct,)
    assert found[0].length == 1
    assert found[0].weakest == "met"
    assert found[0].strength == 3
    assert found[0].target == "a"


def test_only_the_shortest_chains_to_a_target_are_returned() -> None:
    edges = [edge(">a"), edge("a>t"), edge(">b"), edge("b>c"), edge("c>t")]
    assert chains(warm_paths(edges, ["t"])) == ["me>a>t"]


def test_hops_carry_their_edges_in_order_from_the_user() -> None:
    first = edge(">a", "met")
    second = edge("a>t", "introduced", context="Worked together", interview_id="i7")
    (path,) = warm_paths([second, first], ["t"])
    assert path.hops == (first, second)
    assert (path.hops[1].context, path.hops[1].interview_id) == ("Worked together", "i7")


def test_equally_short_chains_rank_by_weakest_hop_then_strength() -> None:
    edges = [
        # me>a>t: weakest offered (met + offered, strength 3)
        edge(">a", "met"),
        edge("a>t", "offered"),
        # me>b>t: weakest introduced (introduced + introduced, strength 2)
        edge(">b", "introduced"),
        edge("b>t", "introduced"),
        # me>c>t: weakest introduced (met + introduced, strength 4)
        edge(">c", "met"),
        edge("c>t", "introduced"),
        # me>d>t: weakest contacted (contacted + met, strength 5)
        edge(">d", "contacted"),
        edge("d>t", "met"),
    ]
    found = warm_paths(edges, ["t"])
    assert chains(found) == ["me>d>t", "me>c>t", "me>b>t", "me>a>t"]
    assert [(p.weakest, p.strength) for p in found] == [
        ("contacted", 5),
        ("introduced", 4),
        ("introduced", 2),
        ("offered", 3),
    ]


def test_exact_ties_are_broken_the_same_way_every_time() -> None:
    edges = [edge(">a", "met"), edge("a>t"), edge(">b", "met"), edge("b>t")]
    assert chains(warm_paths(edges, ["t"])) == ["me>a>t", "me>b>t"]
    assert chains(warm_paths(list(reversed(edges)), ["t"])) == ["me>a>t", "me>b>t"]


def test_cycles_do_not_trap_the_search_and_paths_stay_simple() -> None:
    edges = [edge(">a"), edge("a>b"), edge("b>a"), edge("b>c"), edge("c>a"), edge("c>t")]
    found = warm_paths(edges, ["t"])
    assert chains(found) == ["me>a>b>c>t"]
    nodes = [hop.to_id for hop in found[0].hops]
    assert len(nodes) == len(set(nodes))


def test_declined_edges_are_never_used() -> None:
    edges = [edge(">a"), edge("a>t", "declined"), edge(">b"), edge("b>c"), edge("c>t")]
    assert chains(warm_paths(edges, ["t"])) == ["me>b>c>t"]
    assert warm_paths([edge(">t", "declined")], ["t"]) == []


def test_self_loops_and_unknown_statuses_are_ignored() -> None:
    edges = [edge(">a"), edge("a>a", "met"), edge("a>t", "maybe")]
    assert warm_paths(edges, ["t"]) == []
    assert chains(warm_paths(edges, ["a"])) == ["me>a"]


def test_unreachable_and_unknown_targets_give_no_paths() -> None:
    edges = [edge(">a"), edge("b>c")]
    assert warm_paths(edges, ["c"]) == []
    assert warm_paths(edges, ["nobody"]) == []
    assert warm_paths(edges, []) == []
    assert warm_paths([], ["a"]) == []


def test_several_targets_each_give_their_shortest_chains_nearest_first() -> None:
    # An organization with x (3 hops), y (2 hops, two ways) and z (unreachable).
    edges = [
        edge(">a", "met"),
        edge(">b", "offered"),
        edge("a>y", "contacted"),
        edge("b>y", "met"),
        edge("y>x", "met"),
        edge("a>x", "declined"),
    ]
    found = warm_paths(edges, ["x", "y", "z"])
    assert chains(found) == ["me>a>y", "me>b>y", "me>a>y>x", "me>b>y>x"]
    assert [p.target for p in found] == ["y", "y", "x", "x"]


def test_a_target_on_the_way_to_another_is_its_own_shorter_path() -> None:
    edges = [edge(">a"), edge("a>b"), edge("b>c")]
    assert chains(warm_paths(edges, ["c", "b"])) == ["me>a>b", "me>a>b>c"]


def test_limit_keeps_the_best() -> None:
    edges = [edge(">a", "met"), edge(">b", "contacted"), edge(">c", "introduced"), edge(">d")]
    targets = ["a", "b", "c", "d"]
    assert chains(warm_paths(edges, targets, limit=2)) == ["me>a", "me>b"]
    assert chains(warm_paths(edges, targets)) == ["me>a", "me>b", "me>c", "me>d"]
    assert warm_paths(edges, targets, limit=0) == []


def test_limit_counts_paths_not_targets() -> None:
    # Twelve equally short ways to t: only the five best come back, strongest first.
    edges = [edge(">m", "met")]
    statuses = ["offered", "introduced", "contacted", "met"]
    for i in range(12):
        edges += [edge(f"m>p{i:02d}", statuses[i % 4]), edge(f"p{i:02d}>t", "met")]
    found = warm_paths(edges, ["t"])
    assert chains(found) == ["me>m>p03>t", "me>m>p07>t", "me>m>p11>t", "me>m>p02>t", "me>m>p06>t"]


def test_max_depth_bounds_the_chain_length() -> None:
    edges = [edge(">n1")] + [edge(f"n{i}>n{i + 1}") for i in range(1, 8)]
    assert chains(warm_paths(edges, ["n6"])) == ["me>n1>n2>n3>n4>n5>n6"]
    assert warm_paths(edges, ["n7"]) == []
    assert chains(warm_paths(edges, ["n7"], max_depth=7)) == ["me>n1>n2>n3>n4>n5>n6>n7"]
    assert chains(warm_paths(edges, ["n2", "n3"], max_depth=2)) == ["me>n1>n2"]


def test_many_equal_chains_come_out_without_enumerating_them_all() -> None:
    # 6 layers of 12 nodes, every node linked to every node of the next layer: 12**5 chains.
    layers = [[f"l{d}n{i:02d}" for i in range(12)] for d in range(6)]
    edges = [edge(f">{node}", "met") for node in layers[0]]
    for d in range(5):
        edges += [edge(f"{a}>{b}", "met") for a in layers[d] for b in layers[d + 1]]
    edges += [edge(f"{node}>t", "met") for node in layers[5]]
    found = warm_paths(edges, ["t"], limit=3, max_depth=7)
    assert [p.length for p in found] == [7, 7, 7]
    assert len({tuple(hop.id for hop in p.hops) for p in found}) == 3


# --- depths and degrees ---------------------------------------------------------------------


def test_depths_are_breadth_first_over_non_declined_edges() -> None:
    edges = [
        edge(">a", "met"),
        edge("a>b", "offered"),
        edge("b>c", "met"),
        edge(">c", "declined"),
        edge("x>y"),
        edge("c>a"),
    ]
    assert depths(edges) == {"a": 1, "b": 2, "c": 3}
    assert depths(edges, statuses=("met",)) == {"a": 1}
    assert depths(edges, max_depth=2) == {"a": 1, "b": 2}
    assert depths([]) == {}


def test_first_degree_is_direct_or_met() -> None:
    edges = [
        edge(">a", "offered"),
        edge(">b", "declined"),
        edge("x>c", "met"),
        edge("x>d", "contacted"),
    ]
    assert first_degree(edges, met=["e"]) == {"a", "c", "e"}


def test_introducers_are_first_degree_contacts_with_a_usable_edge() -> None:
    a_to_t = edge("a>t", "introduced")
    c_to_t = edge("c>t", "offered")
    edges = [
        a_to_t,
        c_to_t,
        edge("b>t", "met"),  # b is not first degree
        edge("a>u", "declined"),
        edge("a>k"),  # k is first degree itself
        edge("c>v"),  # v is not a candidate
    ]
    assert introducers(edges, {"a", "c", "k"}, ["t", "u", "k", "w"]) == {"t": [a_to_t, c_to_t]}


# --- alignment ------------------------------------------------------------------------------


def test_alignment_explains_every_point() -> None:
    result = alignment(
        focus_areas=["Climate", "grid  storage", "policy"],
        contact_tags=["climate", "python"],
        organization_tags=["GRID STORAGE", "Climate"],
        interest_level=4,
        depth=2,
        status="met",
    )
    assert result.reasons == [
        Reason("contact_tags", 15, "Tagged Climate, like your focus areas."),
        Reason("organization_tags", 10, "Works at an organization tagged grid  storage."),
        Reason("interest_level", 20, "You rated their organization 4 of 5."),
        Reason("nearness", 15, "2 hops from you: 1 introduction away."),
        Reason("met", 5, "You have met them."),
    ]
    assert result.score == 65


def test_alignment_caps_tags_at_fifty_and_the_total_at_a_hundred() -> None:
    areas = ["a", "b", "c", "d", "e"]
    result = alignment(
        focus_areas=areas,
        contact_tags=["a", "b", "c"],
        organization_tags=["d", "e"],
        interest_level=5,
        depth=1,
        status="keep_in_touch",
    )
    assert [(r.factor, r.points) for r in result.reasons] == [
        ("contact_tags", 45),
        ("organization_tags", 5),
        ("interest_level", 25),
        ("nearness", 20),
        ("met", 5),
    ]
    assert result.reasons[3].detail == "You know them directly."
    assert result.score == 100
    full = alignment(focus_areas=areas, contact_tags=areas, organization_tags=areas)
    assert [(r.factor, r.points) for r in full.reasons] == [("contact_tags", 50)]


@pytest.mark.parametrize(
    ("depth", "points"), [(1, 20), (2, 15), (3, 10), (4, 5), (5, None), (None, None)]
)
def test_nearness_fades_with_each_hop(depth: int | None, points: int | None) -> None:
    result = alignment(focus_areas=[], contact_tags=[], depth=depth)
    assert [r.points for r in result.reasons] == ([points] if points else [])
    assert result.score == (points or 0)


def test_alignment_without_focus_areas_or_anything_is_zero() -> None:
    result = alignment(focus_areas=[], contact_tags=["climate"], organization_tags=["climate"])
    assert (result.score, result.reasons) == (0, [])
    duplicated = alignment(focus_areas=["ML", "ml"], contact_tags=["ml"], status="identified")
    assert [(r.factor, r.points, r.detail) for r in duplicated.reasons] == [
        ("contact_tags", 15, "Tagged ML, like your focus areas.")
    ]
    assert alignment(focus_areas=[], contact_tags=[], depth=3).reasons[0].detail == (
        "3 hops from you: 2 introductions away."
    )


# --- stats arithmetic -----------------------------------------------------------------------


def test_conversations_per_week_are_zero_filled_iso_weeks_in_utc() -> None:
    today = date(2026, 1, 1)  # a Thursday, in ISO week 2026-W01 (which starts 2025-12-29)
    instants = [
        datetime(2025, 12, 29, 0, 0, tzinfo=UTC),  # this week's Monday
        datetime(2026, 1, 4, 23, 59, tzinfo=UTC),  # this week's Sunday
        datetime(2025, 12, 28, 23, 30, tzinfo=UTC),  # last week
        datetime(2025, 12, 29, 0, 30, tzinfo=UTC) - timedelta(hours=1),  # last week, in UTC
        datetime(2025, 12, 14, 12, 0, tzinfo=UTC),  # outside a 3-week window, not a 4-week one
        datetime(2026, 1, 5, 0, 0, tzinfo=UTC),  # next week
    ]
    weeks = stats.conversations_per_week(instants, today=today, weeks=3)
    assert [(w.week, w.starts_on, w.conversations) for w in weeks] == [
        ("2025-W51", date(2025, 12, 15), 0),
        ("2025-W52", date(2025, 12, 22), 2),
        ("2026-W01", date(2025, 12, 29), 2),
    ]
    longer = stats.conversations_per_week(instants, today=today, weeks=4)
    assert [w.conversations for w in longer] == [1, 0, 2, 2]


def test_ratios_chains_and_categories() -> None:
    assert stats.ratio(7, 3) == 2.33
    assert stats.ratio(0, 4) == 0.0
    assert stats.ratio(3, 0) is None
    assert stats.longest_chain({"a": 1, "b": 4, "c": 2}) == 4
    assert stats.longest_chain({}) == 0
    assert stats.by_category({"to_read": 2, "to_do": 1}) == {
        "to_connect": 0,
        "to_follow_up": 0,
        "to_read": 2,
        "to_look_up": 0,
        "to_do": 1,
        "to_think_about": 0,
    }
