"""Vérifications des exercices du TP 3."""

__all__: list[str] = []
