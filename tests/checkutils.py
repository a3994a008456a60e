"""Aides des tests de ``helpers.checks`` : l'issue d'une vérification, d'après ce qu'elle affiche."""

import contextlib
import io


def outcome(check, *args) -> str:
    """Appelle ``check(*args)`` et renvoie ce qu'elle affiche (ré-affiché pour ``capsys``)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = check(*args)
    assert result is None, "une vérification ne renvoie rien : le notebook afficherait sa valeur"
    print(buffer.getvalue(), end="")
    return buffer.getvalue()


def passes(check, *args) -> bool:
    """Vrai si la vérification accepte la réponse (« ✅ »)."""
    return outcome(check, *args).startswith("✅")


def pending(check, *args) -> bool:
    """Vrai si la vérification signale une ébauche pas encore écrite (« ⏳ »)."""
    return outcome(check, *args).startswith("⏳")
