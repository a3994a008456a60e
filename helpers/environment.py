"""Interrupteurs du cours lus dans l'environnement (``AE_FAST``, ``AE_ENONCES``), compris de la
même façon par ``helpers``, l'extension Sphinx du livre et le Makefile.

Sans dépendance, pour que le Makefile s'en serve avant toute installation :
``python3 -m helpers.environment AE_FAST`` affiche ``1`` si l'interrupteur est mis, rien sinon.
"""

from __future__ import annotations

import os
import sys

TRUE = frozenset({"1", "true", "yes", "oui", "on"})
FALSE = frozenset({"", "0", "false", "no", "non", "off"})


def flag(name: str) -> bool:
    """Dit si l'interrupteur ``name`` (une variable d'environnement) est mis.

    Renvoie : ``True`` pour ``1``, ``true``, ``yes``, ``oui`` ou ``on`` ; ``False`` si la variable
    est absente, vide ou vaut ``0``, ``false``, ``no``, ``non`` ou ``off`` (majuscules et espaces
    autour ignorés).

    Lève : ``ValueError`` pour toute autre valeur, plutôt que de deviner.
    """
    value = os.environ.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"{name}={value!r} n'est pas compris : utilisez {name}=1 (oui) ou {name}=0 (non).")


if __name__ == "__main__":
    try:
        print("1" if flag(sys.argv[1]) else "")
    except ValueError as error:
        sys.exit(str(error))
