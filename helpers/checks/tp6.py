"""Vérifications des exercices du TP 6."""

__all__: list[str] = []
