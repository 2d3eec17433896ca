"""Điểm báo: press monitoring for a Vietnamese provincial communications office."""

__version__ = "0.1.0"
