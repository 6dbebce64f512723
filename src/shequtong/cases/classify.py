"""Category suggestions for a case description: the top 3 with a confidence.

A deployment starts with no history, so the cold start is the category tree's keywords; once
it has closed cases (each one's final category is a label a person confirmed), `retrain`
fits TF-IDF over jieba tokens and a logistic regression, and suggestions come from the model.
The model is written under the var directory and reloaded by every process when the file
changes; it is our own file, never one uploaded.

A suggestion is only a suggestion: the reporter or the dispatcher picks the category.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from .choices import CaseStatus
from .models import Case, Category
from .tree import tree

log = logging.getLogger(__name__)

MIN_SAMPLES = 50  # closed cases needed before a model is trusted over the keywords
MIN_CONFIDENCE = 0.25  # below this the model falls back to the keywords
AUTO_FILE = 0.5  # a report with no category is filed under a suggestion this sure
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Suggestion:
    category_id: int
    code: str
    name: str
    confidence: float
    by: str  # "model" or "keywords"


@dataclass(frozen=True)
class TrainReport:
    samples: int
    classes: int
    accuracy: float | None  # on a held-out fifth; None when too few samples to hold any out
    path: Path | None


def model_path() -> Path:
    return Path(settings.VAR_DIR) / "models" / "case_classifier.joblib"


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokens(text: str) -> list[str]:
    """Words of the text (jieba), without punctuation or spaces."""
    return [t for t in _jieba().lcut(text) if _WORD.search(t)]


# --- the cold start -------------------------------------------------------------------------


def by_keywords(text: str, k: int = 3) -> list[Suggestion]:
    scores = []
    for category, words in tree().keywords:
        hits = sum(1 for w in words if w in text)
        if hits:
            scores.append((hits, category))
    total = sum(h for h, _ in scores)
    scores.sort(key=lambda s: (-s[0], s[1].order))
    return [
        Suggestion(c.pk, c.code, c.name, round(h / total, 3), "keywords") for h, c in scores[:k]
    ]


# --- the model ------------------------------------------------------------------------------


class _Loaded:
    """The model of the file on disk, reloaded when the file changes (another process
    retrained)."""

    def __init__(self) -> None:
        self.mtime: float | None = None
        self.model: Any = None

    def get(self) -> Any:
        path = model_path()
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            self.mtime, self.model = None, None
            return None
        if mtime != self.mtime:
            import joblib

            self.model, self.mtime = joblib.load(path), mtime
        return self.model


_loaded = _Loaded()


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(
            tokenizer=tokens, token_pattern=None, ngram_range=(1, 2), sublinear_tf=True
        ),
        LogisticRegression(max_iter=1000, C=5.0),
    )


def by_model(text: str, k: int = 3) -> list[Suggestion]:
    model = _loaded.get()
    if model is None:
        return []
    probabilities = model.predict_proba([text])[0]
    ranked = sorted(zip(model.classes_, probabilities, strict=True), key=lambda p: -p[1])[:k]
    categories = Category.objects.in_bulk([int(c) for c, _ in ranked])
    return [
        Suggestion(
            int(c), categories[int(c)].code, categories[int(c)].name, round(float(p), 3), "model"
        )
        for c, p in ranked
        if int(c) in categories
    ]


def suggest(text: str, k: int = 3) -> list[Suggestion]:
    """The model's top k when it is confident enough, else the keywords' (maybe none)."""
    text = text.strip()
    if not text:
        return []
    found = by_model(text, k)
    if found and found[0].confidence >= MIN_CONFIDENCE:
        return found
    return by_keywords(text, k)


def auto_category(text: str) -> Category | None:
    """The category to file an uncategorised report under, if a suggestion is sure enough."""
    sure = [s for s in suggest(text, 1) if s.confidence >= AUTO_FILE]
    return tree().leaves.get(sure[0].category_id) if sure else None


def training_set() -> tuple[list[str], list[int]]:
    """Closed cases (not merged duplicates): the description and the category it ended in."""
    rows = Case.objects.filter(
        status__in=[CaseStatus.CLOSED, CaseStatus.RESOLVED], duplicate_of__isnull=True
    ).values_list("description", "category_id")
    texts, labels = [], []
    for text, label in rows.iterator():
        texts.append(text)
        labels.append(label)
    return texts, labels


def fit(texts: list[str], labels: list[int], *, seed: int = 2026) -> tuple[Any, float | None]:
    """A model of all the samples, and its accuracy on a held-out fifth (fitted without it)."""
    accuracy = None
    if len(texts) >= 2 * MIN_SAMPLES:
        order = list(range(len(texts)))
        random.Random(seed).shuffle(order)
        cut = len(order) // 5
        test, train = order[:cut], order[cut:]
        trial = _pipeline().fit([texts[i] for i in train], [labels[i] for i in train])
        predicted = trial.predict([texts[i] for i in test])
        accuracy = sum(int(p == labels[i]) for p, i in zip(predicted, test, strict=True)) / cut
    return _pipeline().fit(texts, labels), accuracy


def retrain() -> TrainReport:
    """Fit on the deployment's closed cases and replace the model file (atomically)."""
    import joblib

    texts, labels = training_set()
    classes = len(set(labels))
    if len(texts) < MIN_SAMPLES or classes < 2:
        return TrainReport(len(texts), classes, None, None)
    model, accuracy = fit(texts, labels)
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    joblib.dump(model, partial)
    partial.replace(path)
    log.info("事件分类模型已更新：%s 条样本，%s 个类别，准确率 %s", len(texts), classes, accuracy)
    return TrainReport(len(texts), classes, accuracy, path)
