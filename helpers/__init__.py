"""Outils partagés par les TP du cours « Auto-encodeurs » : données, modèles, entraînement, figures.

``python -m helpers`` affiche l'empreinte du code source (voir :func:`source_hash`).
"""

import hashlib
from pathlib import Path

__version__ = "0.1.0"

# Ce qui ne change pas un modèle entraîné : les vérifications des exercices, les figures, les
# nombres mis en forme pour le texte, les quiz.
NOT_TRAINING = ("checks", "plots.py", "report.py", "quiz.py", "quizzes")


def source_hash(training_only: bool = False) -> str:
    """Empreinte (16 chiffres hexadécimaux) du code source de ``helpers``.

    Avec ``training_only``, seulement des modules qui façonnent un modèle entraîné (tout sauf
    :data:`NOT_TRAINING`) : c'est la part de la clé du cache des modèles qui dit « même code ».
    Sans, de tout le paquet, questions des quiz comprises : le Makefile vide le cache d'exécution
    des pages quand elle change."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*package.rglob("*.py"), *package.glob("quizzes/*.json")]):
        relative = path.relative_to(package)
        if training_only and relative.parts[0] in NOT_TRAINING:
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
