"""Dependency graphs (pure): which member needs which result first.

A graph is a mapping ``node → the nodes it depends on`` (its prerequisites).
Members with no path between them run in parallel (并联审批, R-CS-9);
``layers`` groups them: every node of a layer depends only on earlier layers.
Used by the bundle definition (members) and by the catalogue's graph of 前置
links across all items (``catalog.prerequisites``), which shares the cycle
finder.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def strongly_connected(graph: Mapping[N, Iterable[N]]) -> list[list[N]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit).

    Edges to nodes outside ``graph`` are ignored. Components come out in
    reverse topological order; nodes inside one keep the input order.
    """
    nodes = list(graph)
    known = set(nodes)
    succ = {n: [m for m in graph[n] if m in known] for n in nodes}
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    result: list[list[N]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[N, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            children = succ[node]
            while position < len(children):
                child = children[position]
                position += 1
                if child not in index:
                    work.append((node, position))
                    work.append((child, 0))
                    recurse = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if recurse:
                continue
            if low[node] == index[node]:
                component: list[N] = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                order = {n: i for i, n in enumerate(nodes)}
                result.append(sorted(component, key=order.__getitem__))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def cycles(graph: Mapping[N, Iterable[N]]) -> list[list[N]]:
    """Every group of nodes that depend on each other (a component of two or
    more nodes, or a node that depends on itself), in input order."""
    found = []
    for component in strongly_connected(graph):
        if len(component) > 1 or component[0] in set(graph[component[0]]):
            found.append(component)
    order = {n: i for i, n in enumerate(graph)}
    return sorted(found, key=lambda c: order[c[0]])


def cycle_path(graph: Mapping[N, Iterable[N]], component: list[N]) -> list[N]:
    """One closed path through a cycle group, starting at its first node:
    [a, b, c, a] means a needs b, b needs c, c needs a (shortest such path)."""
    inside = set(component)
    start = component[0]
    previous: dict[N, N] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in graph[node]:
                if nxt not in inside:
                    continue
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if nxt not in previous:
                    previous[nxt] = node
                    following.append(nxt)
        frontier = following
    return [start, start]


def layers(graph: Mapping[N, Iterable[N]]) -> list[list[N]]:
    """The nodes in dependency order, grouped: a layer's nodes run in parallel.

    Raises ``ValueError`` when the graph has a cycle (lint reports it first).
    """
    remaining = {n: {m for m in graph[n] if m in graph} for n in graph}
    result: list[list[N]] = []
    while remaining:
        ready = [n for n, deps in remaining.items() if not deps]
        if not ready:
            raise ValueError("dependency graph has a cycle")
        result.append(ready)
        for n in ready:
            del remaining[n]
        for deps in remaining.values():
            deps.difference_update(ready)
    return result


def dependents(graph: Mapping[N, Iterable[N]], node: N) -> list[N]:
    """Every node that needs ``node`` directly or through others, in input order."""
    needed_by: dict[N, list[N]] = {n: [] for n in graph}
    for n, deps in graph.items():
        for d in deps:
            if d in needed_by:
                needed_by[d].append(n)
    seen: set[N] = set()
    frontier = [node]
    while frontier:
        current = frontier.pop()
        for n in needed_by.get(current, []):
            if n not in seen:
                seen.add(n)
                frontier.append(n)
    return [n for n in graph if n in seen]


def longest_path(graph: Mapping[N, Iterable[N]], weight: Mapping[N, int]) -> int:
    """The heaviest chain of prerequisites (the critical path), summing ``weight``."""
    best: dict[N, int] = {}
    for layer in layers(graph):
        for n in layer:
            before = [best[d] for d in graph[n] if d in best]
            best[n] = weight.get(n, 0) + (max(before) if before else 0)
    return max(best.values(), default=0)
