"""Model directories: the estimator (joblib) and its model card (card.json), saved and loaded.

A model directory holds ``model.joblib`` and ``card.json``. joblib files are pickles: loading
one runs code chosen by whoever wrote it, so load only model directories you made or trust
(the shipped one, or ones your own ``diembao train`` wrote). Before unpickling, ``load_model``
reads the card (plain JSON), refuses versions it cannot load (``ModelVersionError``) and checks
the SHA-256 of ``model.joblib`` against the card, which catches a swapped or damaged file but is
no defence against someone who can rewrite both files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy
import sklearn

from classifiers.errors import ModelError, ModelVersionError

__all__ = [
    "CARD_FILE", "FORMAT_VERSION", "MODEL_FILE", "ModelCard", "TrainedModel", "find_model",
    "library_versions", "load_model", "save_model",
]

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: topic and tone models use the neighbours of labelled texts
MODEL_FILE = "model.joblib"
CARD_FILE = "card.json"


@dataclass(frozen=True)
class ModelCard:
    """What a model is, what it was trained on, how well it did and what made it."""

    kind: str
    classes: list[str]
    multilabel: bool
    params: dict[str, Any]
    data_sha256: str
    n_documents: int
    metrics: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    created: str = ""
    estimator: str = ""
    model_sha256: str = ""
    format_version: int = FORMAT_VERSION
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass(frozen=True)
class TrainedModel:
    """A loaded estimator with its card."""

    estimator: Any
    card: ModelCard
    directory: Path

    @property
    def classes(self) -> list[str]:
        return [str(label) for label in self.estimator.classes_]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.estimator.predict_proba(texts)


def library_versions() -> dict[str, str]:
    """Versions that decide whether a saved model can be loaded."""
    return {
        "python": platform.python_version(), "scikit-learn": sklearn.__version__,
        "numpy": np.__version__, "scipy": scipy.__version__, "joblib": joblib.__version__,
    }


def save_model(estimator: Any, directory: Path | str, card: ModelCard, *, compress: int = 3,
               now: datetime | None = None) -> ModelCard:
    """Write ``model.joblib`` and ``card.json`` into ``directory``; return the card written
    (with versions, date, estimator name and file hash filled in)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    joblib.dump(estimator, path, compress=compress)
    card = ModelCard.from_dict({
        **card.to_dict(),
        "versions": library_versions(),
        "created": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "model_sha256": file_sha256(path),
        "format_version": FORMAT_VERSION,
    })
    (directory / CARD_FILE).write_text(
        json.dumps(card.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("saved %s model to %s (%d bytes)", card.kind, directory, path.stat().st_size)
    return card


def read_card(directory: Path | str) -> ModelCard:
    """The card of a model directory (plain JSON: safe to read from anywhere)."""
    path = Path(directory) / CARD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{directory} is not a model directory: {CARD_FILE} is missing") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or "kind" not in data:
        raise ModelError(f"{path} is not a model card")
    return ModelCard.from_dict(data)


def check_versions(directory: Path | str, card: ModelCard) -> None:
    """Raise ``ModelVersionError`` unless the model format and scikit-learn major.minor match."""
    if card.format_version != FORMAT_VERSION:
        raise ModelVersionError(directory, "model format", str(card.format_version),
                                str(FORMAT_VERSION))
    made = card.versions.get("scikit-learn", "unknown")
    if _minor(made) != _minor(sklearn.__version__):
        raise ModelVersionError(directory, "scikit-learn", made, sklearn.__version__)


def load_model(directory: Path | str) -> TrainedModel:
    """Load a model directory written by ``save_model``; see the module docstring on safety."""
    directory = Path(directory)
    card = read_card(directory)
    check_versions(directory, card)
    path = directory / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"{directory} has a card but no {MODEL_FILE}")
    if card.model_sha256 and file_sha256(path) != card.model_sha256:
        raise ModelError(f"{path} does not match the SHA-256 recorded in its {CARD_FILE}")
    try:
        estimator = joblib.load(path)
    except Exception as exc:  # unpickling can fail in many ways; all mean the same here
        raise ModelError(f"cannot load {path}: {exc}") from exc
    return TrainedModel(estimator=estimator, card=card, directory=directory)


def find_model(models_dir: Path | str, kind: str = "sections") -> Path:
    """The directory of the ``kind`` model under ``models_dir`` (the package passes its
    shipped ``monitor/data/models``); ``ModelError`` when there is none."""
    path = Path(models_dir) / kind
    if not (path / CARD_FILE).is_file():
        raise ModelError(f"no {kind} model in {models_dir} (expected {path / CARD_FILE})")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])
