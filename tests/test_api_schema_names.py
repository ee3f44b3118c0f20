"""Every API schema of the platform has its own name.

django-ninja names an OpenAPI component after the class, so two schemas of
the same name in two apps silently share one component: the second
overwrites the first and the document describes one of the two answers
wrongly (the marketplace's figures were documented as the payments' figures).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ninja import Schema


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    import config.api  # noqa: F401  (imports every app's routers and schemas)

    names: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("tongban."):
            names[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in names.items() if len(where) > 1}
    assert not shared, shared
