"""Outils partagés par les TP du cours « Auto-encodeurs » : données, modèles, entraînement, figures."""

__version__ = "0.1.0"
