"""The trained part: logistic regression on word and character n-grams.

Trained from ``training/offer_replies.yml`` when first needed (about a
second for the shipped pool), so no model file has to be built or shipped.
Character n-grams carry typos and SMS spellings; word pairs carry phrases
such as "no thanks" against "thanks".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from tactful.replies.labels import ReplyLabel
from tactful.replies.text import normalize, tokens
from tactful.settings import REPO_ROOT

TRAINING_FILE = REPO_ROOT / "training" / "offer_replies.yml"
Example = tuple[str, ReplyLabel]


class TrainingDataError(ValueError):
    """The training file is missing, malformed or names an unknown label."""


def load_examples(path: Path = TRAINING_FILE) -> list[Example]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TrainingDataError(f"{path}: cannot read the training pool: {error}") from error
    groups = document.get("examples") if isinstance(document, dict) else None
    if not isinstance(groups, dict):
        raise TrainingDataError(f"{path}: expected a mapping 'examples: {{label: [texts]}}'")
    examples: list[Example] = []
    for name, texts in groups.items():
        try:
            label = ReplyLabel(name)
        except ValueError:
            raise TrainingDataError(f"{path}: unknown label {name!r}") from None
        examples.extend((str(text), label) for text in texts or [])
    return examples


def _pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(tokenizer=tokens, token_pattern=None, ngram_range=(1, 2), sublinear_tf=True),
            ),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
        ]
    )
    classifier = LogisticRegression(C=8.0, class_weight="balanced", max_iter=5000)
    return Pipeline([("features", features), ("classifier", classifier)])


class ReplyModel:
    def __init__(self, examples: Iterable[Example]) -> None:
        pairs = list(examples)
        if not pairs:
            raise TrainingDataError("no training examples")
        self._pipeline = _pipeline()
        self._pipeline.fit([normalize(text) for text, _ in pairs], [label.value for _, label in pairs])
        self._labels = [ReplyLabel(name) for name in self._pipeline.classes_]

    def probabilities(self, norm: str) -> Mapping[ReplyLabel, float]:
        """P(label) for an already normalised reply."""
        row = self._pipeline.predict_proba([norm])[0]
        return dict(zip(self._labels, (float(p) for p in row), strict=True))
