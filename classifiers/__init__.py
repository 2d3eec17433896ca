"""Pure machine-learning estimators for sections, topics and tone (never imports monitor)."""

from os import PathLike

from classifiers.errors import ClassifierError, DataError, ModelError, ModelVersionError
from classifiers.features import normalize_text
from classifiers.linear import TextClassifier
from classifiers.store import ModelCard, TrainedModel, find_model, load_model, save_model
from classifiers.vectorize import SyllableVectorizer

__all__ = [
    "ClassifierError", "DataError", "ModelCard", "ModelError", "ModelVersionError",
    "SyllableVectorizer", "TextClassifier", "TrainedModel", "find_model", "load_default",
    "load_model", "normalize_text", "save_model",
]


def load_default(models_dir: str | PathLike[str], kind: str = "sections") -> TrainedModel:
    """The shipped model of ``kind`` under ``models_dir`` (monitor passes its
    ``monitor/data/models``): ``load_model(find_model(models_dir, kind))``."""
    return load_model(find_model(models_dir, kind))
