"""Exceptions of the classifiers package.

    ClassifierError
    ├── DataError           a training or evaluation file that cannot be used
    └── ModelError          a model directory that is missing, incomplete or corrupt
        └── ModelVersionError   made by an incompatible scikit-learn or model format version
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ClassifierError", "DataError", "ModelError", "ModelVersionError"]


class ClassifierError(Exception):
    """Base class of every error raised by ``classifiers``."""


class DataError(ClassifierError):
    """A data file is unreadable or a line lacks ``text`` and ``label``/``labels``."""


class ModelError(ClassifierError):
    """A model directory cannot be loaded."""


class ModelVersionError(ModelError):
    """A model directory was made with versions this installation cannot load safely."""

    def __init__(self, directory: Path | str, what: str, made_with: str, installed: str) -> None:
        self.directory = Path(directory)
        self.what = what
        self.made_with = made_with
        self.installed = installed
        super().__init__(
            f"model {self.directory} was made with {what} {made_with}, but {what} {installed} is "
            f"installed; retrain it (diembao train) or install {what} {made_with}"
        )
