"""Vérifications des exercices du TP 4."""

__all__: list[str] = []
