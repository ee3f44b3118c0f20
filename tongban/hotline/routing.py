"""Routing (智能派单): a suggested category and department for each new order.

The category comes from the order's words: a multinomial naive Bayes
classifier over jieba words, trained on the handled orders (their final
category) and stored as a :class:`RoutingModel`; the department from the
category's routing rules for the order's place (the rule of the deepest
region containing it). The operator confirms or changes both.

Accuracy is measured on held-out handled orders that were not used for
training (``routing_evaluate``); the centre sees top-1 and top-3.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tongban.hotline import text
from tongban.hotline.models import Category, RoutingModel, RoutingRule
from tongban.org.models import Department

ALPHA = 0.3  # additive smoothing
CACHE_SECONDS = 60.0
MAX_TRAINING_ORDERS = 200_000


# --- the classifier (pure) ---------------------------------------------------------


@dataclass
class NaiveBayes:
    """Word counts per label; ``scores`` gives log-probabilities, best first."""

    docs: dict[str, int] = field(default_factory=dict)
    words: dict[str, dict[str, int]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    vocabulary: int = 0

    @classmethod
    def train(cls, samples: Iterable[tuple[Sequence[str], str]]) -> NaiveBayes:
        docs: Counter[str] = Counter()
        words: dict[str, Counter[str]] = {}
        vocab: set[str] = set()
        for tokens, label in samples:
            docs[label] += 1
            counter = words.setdefault(label, Counter())
            for token in set(tokens):  # presence, not repetition, per order
                counter[token] += 1
                vocab.add(token)
        return cls(
            docs=dict(docs),
            words={label: dict(c) for label, c in words.items()},
            totals={label: sum(c.values()) for label, c in words.items()},
            vocabulary=len(vocab),
        )

    def scores(self, tokens: Sequence[str]) -> list[tuple[str, float]]:
        if not self.docs:
            return []
        n = sum(self.docs.values())
        v = max(1, self.vocabulary)
        present = set(tokens)
        known = {t for t in present if any(t in w for w in self.words.values())}
        result = []
        for label, count in self.docs.items():
            counts = self.words.get(label, {})
            denominator = self.totals.get(label, 0) + ALPHA * v
            score = math.log(count / n)
            for token in known:
                score += math.log((counts.get(token, 0) + ALPHA) / denominator)
            result.append((label, score))
        result.sort(key=lambda item: (-item[1], item[0]))
        return result

    def top(self, tokens: Sequence[str], k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` best labels with their probability (softmax of the scores)."""
        scored = self.scores(tokens)
        if not scored:
            return []
        best = scored[0][1]
        weights = [(label, math.exp(s - best)) for label, s in scored]
        total = sum(w for _, w in weights)
        return [(label, w / total) for label, w in weights[:k]]

    def as_data(self) -> dict[str, Any]:
        return {
            "docs": self.docs,
            "words": self.words,
            "totals": self.totals,
            "vocabulary": self.vocabulary,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> NaiveBayes:
        return cls(
            docs=dict(data.get("docs", {})),
            words={k: dict(v) for k, v in data.get("words", {}).items()},
            totals=dict(data.get("totals", {})),
            vocabulary=int(data.get("vocabulary", 0)),
        )


def features(tokens: Iterable[str]) -> list[str]:
    """The classifier's words: topic words only."""
    return [t for t in tokens if len(t) >= 2 and t not in text.STOPWORDS and not t.isdigit()]


def text_features(value: str) -> list[str]:
    return features(text.words(value))


@dataclass(frozen=True)
class Accuracy:
    total: int
    top1: int
    top3: int

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "top1": self.top1,
            "top3": self.top3,
            "top1_rate": round(self.top1_rate, 4),
            "top3_rate": round(self.top3_rate, 4),
        }


def accuracy(model: NaiveBayes, samples: Iterable[tuple[str, str]]) -> Accuracy:
    """Top-1 and top-3 accuracy of ``model`` on (text, expected label) pairs."""
    total = top1 = top3 = 0
    for value, expected in samples:
        total += 1
        labels = [label for label, _ in model.top(text_features(value), 3)]
        top1 += bool(labels) and labels[0] == expected
        top3 += expected in labels
    return Accuracy(total, top1, top3)


# --- the stored model and rules ------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def current_model() -> tuple[NaiveBayes | None, RoutingModel | None]:
    """The latest trained model, cached per process for ``CACHE_SECONDS``."""
    with _lock:
        if time.monotonic() - _cache.get("model_at", -1e9) < CACHE_SECONDS:
            return _cache.get("model"), _cache.get("row")
    row = RoutingModel.objects.order_by("-trained_at", "-id").first()
    model = NaiveBayes.from_data(row.data) if row is not None else None
    with _lock:
        _cache.update(model=model, row=row, model_at=time.monotonic())
    return model, row


def _rules() -> tuple[dict[str, Category], dict[int, list[tuple[str, int]]]]:
    """Leaf categories by code, and rules by category id (deepest region first)."""
    with _lock:
        if time.monotonic() - _cache.get("rules_at", -1e9) < CACHE_SECONDS:
            return _cache["categories"], _cache["rules"]
    categories = {c.code: c for c in Category.objects.filter(active=True)}
    rules: dict[int, list[tuple[str, int]]] = {}
    for rule in RoutingRule.objects.values("category_id", "region_path", "department_id"):
        rules.setdefault(rule["category_id"], []).append(
            (rule["region_path"], rule["department_id"])
        )
    for entries in rules.values():
        entries.sort(key=lambda item: -len(item[0]))
    with _lock:
        _cache.update(categories=categories, rules=rules, rules_at=time.monotonic())
    return categories, rules


def department_for(category: Category, region_path: str) -> Department | None:
    """The department of the deepest routing rule of ``category`` covering the place."""
    _, rules = _rules()
    for path, department_id in rules.get(category.pk, []):
        if region_path.startswith(path):
            return Department.objects.filter(pk=department_id).first()
    return None


@dataclass(frozen=True)
class Suggestion:
    category: Category | None
    department: Department | None
    candidates: tuple[tuple[Category, float], ...] = ()

    @property
    def department_id(self) -> int | None:
        return self.department.pk if self.department else None


def suggest_for_text(value: str, *, region_path: str, kind: str = "") -> Suggestion:
    """Up to three categories for the words of ``value``, and the department of the
    best one's routing rule for the place (a business-environment complaint goes to
    the 企业投诉 centre through its category's rules, R-HL-6)."""
    return suggest_for_words(text.words(value), region_path=region_path)


def suggest_for_words(words: Sequence[str], *, region_path: str) -> Suggestion:
    """:func:`suggest_for_text` for words already segmented (registration segments once)."""
    model, _ = current_model()
    if model is None:
        return Suggestion(None, None)
    categories, _ = _rules()
    candidates = tuple(
        (categories[label], p) for label, p in model.top(features(words), 3) if label in categories
    )
    if not candidates:
        return Suggestion(None, None)
    best = candidates[0][0]
    return Suggestion(best, department_for(best, region_path), candidates)
