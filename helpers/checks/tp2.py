"""Vérifications des exercices du TP 2."""

__all__: list[str] = []
