"""Warm paths: chains of introductions from the user to the people they want to meet.

Pure functions over plain data: no database, no HTTP. Contacts are opaque ids (the service
passes UUIDs as text); the user is `None`, the `from_id` of an edge the user knows directly.

A referral edge `A -> B` means A offered to introduce the user to B, so chains run in the
edges' direction: user -> A (the user knows A) -> B (A introduces B) -> ... Declined edges are
never walked. Among equally short chains the strongest wins: hops are ranked met, contacted,
introduced, offered; a chain is as good as its weakest hop, and between chains with equally
weak links, the one with the stronger hops overall.
"""

import heapq
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

# Lower is better: how far an introduction got.
RANK: Mapping[str, int] = {"met": 0, "contacted": 1, "introduced": 2, "offered": 3}
# What the API shows instead: higher is better (met 3 ... offered 0).
WORST_RANK = max(RANK.values())
DECLINED = "declined"
MET = "met"
DEFAULT_LIMIT = 5
DEFAULT_MAX_DEPTH = 6

NodeId = str
# `None` stands for the user.
Source = NodeId | None


# Not frozen: the service builds one per referral (20,000 for a big network), and a frozen
# dataclass costs several times more to construct.
@dataclass(slots=True)
class Edge:
    """One referral edge; `from_id` is None when the user knows `to_id` directly."""

    id: str
    from_id: NodeId | None
    to_id: NodeId
    status: str
    context: str | None = None
    interview_id: str | None = None


def usable(edge: Edge) -> bool:
    """Whether a chain may walk this edge: not declined, a known status, no self-loop."""
    return edge.status in RANK and edge.from_id != edge.to_id


def strength(status: str) -> int:
    """How far an introduction got: met 3, contacted 2, introduced 1, offered 0."""
    return WORST_RANK - RANK[status]


@dataclass(frozen=True)
class Path:
    """A chain of introductions from the user to a target, first hop first."""

    hops: tuple[Edge, ...]

    @property
    def length(self) -> int:
        return len(self.hops)

    @property
    def target(self) -> NodeId:
        return self.hops[-1].to_id

    @property
    def weakest(self) -> str:
        """The status of the weakest hop: the chain is only as warm as that."""
        return max((hop.status for hop in self.hops), key=lambda status: RANK[status])

    @property
    def strength(self) -> int:
        """The sum of the hops' strengths (met 3, contacted 2, introduced 1, offered 0)."""
        return sum(strength(hop.status) for hop in self.hops)


def _adjacency(edges: Iterable[Edge], statuses: Collection[str]) -> dict[Source, list[Edge]]:
    out: dict[Source, list[Edge]] = {}
    for edge in edges:
        if edge.status in statuses and edge.from_id != edge.to_id:
            out.setdefault(edge.from_id, []).append(edge)
    return out


class _Reach(NamedTuple):
    depth: dict[NodeId, int]
    # The edges into a node from the layer before it: the last hops of its shortest chains.
    parents: dict[NodeId, list[Edge]]
    # Per node, lower bounds over its shortest chains: the best weakest-hop rank, the best sum.
    best_worst: dict[Source, int]
    best_sum: dict[Source, int]


def _breadth_first(
    out: Mapping[Source, list[Edge]], *, max_depth: int | None, stop_when: Collection[NodeId]
) -> _Reach:
    """Layer by layer from the user; stops early once every node of `stop_when` is reached."""
    depth: dict[NodeId, int] = {}
    parents: dict[NodeId, list[Edge]] = {}
    best_worst: dict[Source, int] = {None: 0}
    best_sum: dict[Source, int] = {None: 0}
    remaining = set(stop_when)
    frontier: list[Source] = [None]
    level = 0
    while frontier and (max_depth is None or level < max_depth):
        level += 1
        layer: list[Source] = []
        for node in frontier:
            worst, total = best_worst[node], best_sum[node]
            for edge in out.get(node, ()):
                rank = RANK[edge.status]
                target = edge.to_id
                seen = depth.get(target)
                if seen is None:
                    depth[target] = level
                    parents[target] = [edge]
                    best_worst[target] = max(worst, rank)
                    best_sum[target] = total + rank
                    layer.append(target)
                elif seen == level:
                    parents[target].append(edge)
                    best_worst[target] = min(best_worst[target], max(worst, rank))
                    best_sum[target] = min(best_sum[target], total + rank)
        if remaining:
            remaining.difference_update(layer)
            if not remaining:
                break
        frontier = layer
    return _Reach(depth, parents, best_worst, best_sum)


def depths(
    edges: Iterable[Edge],
    *,
    statuses: Collection[str] = tuple(RANK),
    max_depth: int | None = None,
) -> dict[NodeId, int]:
    """How many hops each reachable contact is from the user (1: known directly).

    Only edges with one of `statuses` are walked (by default every one but declined).
    """
    return _breadth_first(_adjacency(edges, statuses), max_depth=max_depth, stop_when=()).depth


def warm_paths(
    edges: Iterable[Edge],
    targets: Iterable[NodeId],
    *,
    limit: int = DEFAULT_LIMIT,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> list[Path]:
    """Up to `limit` distinct chains from the user to the targets, best first.

    Each target contributes its shortest chains (of at most `max_depth` hops); chains are
    ordered by length, then weakest hop, then the sum of the hops' ranks, then by the target's
    id and the edge ids read from it back, so the answer is the same every time. Every chain
    is simple: each hop goes one layer further from the user.
    """
    wanted = set(targets)
    if limit <= 0 or not wanted:
        return []
    reach = _breadth_first(_adjacency(edges, RANK), max_depth=max_depth, stop_when=wanted)
    return list(_best_chains(reach, sorted(t for t in wanted if t in reach.depth), limit))


# A partial chain, searched backwards from its target: the ranking key (a lower bound for
# every chain that completes it), a unique counter, the node it has reached, its hops so far
# (in user-to-target order), and their weakest rank and rank sum.
_State = tuple[int, int, int, tuple[str, ...], int, Source, tuple[Edge, ...], int, int]


def _best_chains(reach: _Reach, targets: list[NodeId], limit: int) -> Iterator[Path]:
    """Best-first (A*) over the shortest-chain graph, from each target back to the user.

    The key of a partial chain adds the best possible prefix (`best_worst`, `best_sum` of the
    node it reached) to the hops it has, so keys never decrease along a chain and chains come
    out complete in exactly the ranking order, without enumerating the others.
    """
    heap: list[_State] = []
    counter = 0
    for target in targets:
        worst, total = reach.best_worst[target], reach.best_sum[target]
        heap.append((reach.depth[target], worst, total, (target,), counter, target, (), 0, 0))
        counter += 1
    heapq.heapify(heap)
    found = 0
    while heap and found < limit:
        length, _, _, ids, _, node, hops, worst, total = heapq.heappop(heap)
        if node is None:
            found += 1
            yield Path(hops)
            continue
        for edge in reach.parents[node]:
            rank = RANK[edge.status]
            source = edge.from_id
            hop_worst, hop_total = max(worst, rank), total + rank
            counter += 1
            state: _State = (
                length,
                max(reach.best_worst[source], hop_worst),
                reach.best_sum[source] + hop_total,
                (*ids, edge.id),
                counter,
                source,
                (edge, *hops),
                hop_worst,
                hop_total,
            )
            heapq.heappush(heap, state)


def first_degree(edges: Iterable[Edge], met: Iterable[NodeId]) -> set[NodeId]:
    """Contacts the user knows: a non-declined edge from the user, a referral to them that
    reached `met`, or one of `met` (contacts whose own status says the user met them)."""
    known = set(met)
    for edge in edges:
        if edge.status == MET or (edge.from_id is None and usable(edge)):
            known.add(edge.to_id)
    return known


def introducers(
    edges: Iterable[Edge], first: Collection[NodeId], candidates: Iterable[NodeId]
) -> dict[NodeId, list[Edge]]:
    """Second degree: for each candidate not in `first`, the non-declined edges into it from
    a first-degree contact. Candidates nobody in `first` can introduce are left out."""
    wanted = set(candidates).difference(first)
    found: dict[NodeId, list[Edge]] = {}
    for edge in edges:
        if (
            edge.to_id in wanted
            and edge.from_id is not None
            and edge.from_id in first
            and usable(edge)
        ):
            found.setdefault(edge.to_id, []).append(edge)
    return found
