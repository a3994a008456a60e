"""Nombres et tableaux pour le texte des pages : format français et « glue » de myst-nb.

Dans le livre, une valeur calculée est insérée dans la prose par ``{glue:md}`nom```. Hors du
livre (Colab, Jupyter), ``glue`` se contente d'afficher la valeur si on le lui demande.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown, display


def fr(value: float, digits: int = 2) -> str:
    """Nombre au format français : virgule décimale, espace fine entre les milliers."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def glue(name: str, value: float | str, digits: int = 2, show: bool = False) -> None:
    """Enregistre ``value`` (formatée en français) sous ``name`` pour ``{glue:md}``."""
    text = value if isinstance(value, str) else fr(value, digits)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # hors de la construction du livre
        if show:
            display(Markdown(text))
    else:
        myst_glue(name, Markdown(text), display=show)


def table(frame: pd.DataFrame, digits: int | dict[str, int] = 4):
    """Tableau pandas à la française (virgule décimale), sans index numérique.

    ``digits`` donne le nombre de décimales, pour toutes les colonnes ou par nom de colonne.
    """
    style = frame.style.hide(axis="index")
    per_column = digits if isinstance(digits, dict) else {c: digits for c in frame.columns}
    for column, n in per_column.items():
        style = style.format(precision=n, decimal=",", thousands="\u202f", subset=[column])
    return style
