"""Vérifications des exercices du TP 5."""

__all__: list[str] = []
