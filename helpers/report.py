"""Nombres et tableaux pour le texte des pages : format français et « glue » de myst-nb.

Dans le livre, une valeur calculée est insérée dans la prose par ``{glue:md}`nom```. Hors du
livre (Colab, Jupyter), ``glue`` se contente d'afficher la valeur si on le lui demande.
"""

from __future__ import annotations

import functools
import math

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fr(value: float, digits: int = 2) -> str:
    """Nombre au format français : virgule décimale, espace fine entre les milliers, signe moins."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",").replace("-", "\u2212")


def sci(value: float, digits: int = 1) -> str:
    """Nombre à la française avec ``digits`` chiffres après le premier chiffre significatif :
    « 0,14 », « 1,6 », ou en notation scientifique hors de [0,01 ; 1 000[ (« 3,2 × 10⁻¹³ »)."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10.0**exponent, digits)
    if abs(mantissa) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    if -2 <= exponent <= 2:
        return fr(value, max(0, digits - exponent))
    return f"{fr(mantissa, digits)}\u202f×\u202f10{str(exponent).translate(SUPERSCRIPTS)}"


class _Glued:
    """Valeur glued : le texte français pour ``{glue:md}`` et, en ``text/plain``, la valeur brute
    (que ``tools/collect_results.py`` relit pour ``results/reference.json``)."""

    def __init__(self, text: str, value: float | str):
        self.text, self.value = text, value

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.value)


def glue(name: str, value: float | str, digits: int = 2, show: bool = False) -> None:
    """Enregistre ``value`` (formatée en français) sous ``name`` pour ``{glue:md}``."""
    if not isinstance(value, str):
        value = float(value)  # tenseurs et scalaires numpy : un nombre Python
    text = value if isinstance(value, str) else fr(value, digits)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # hors de la construction du livre
        if show:
            display(Markdown(text))
    else:
        myst_glue(name, _Glued(text, value), display=show)


def glue_figure(name: str, fig) -> None:
    """Enregistre une figure pour ``{glue:figure}`` (légende numérotée dans le livre) ; hors du
    livre, l'affiche simplement."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        display(fig)
    else:
        myst_glue(name, fig, display=False)
    plt.close(fig)


def table(frame: pd.DataFrame, digits: int | dict[str, int] = 4):
    """Tableau pandas à la française (virgule décimale, espace fine entre les milliers, vrai signe
    moins), sans index numérique.

    ``digits`` donne le nombre de décimales des colonnes de flottants, pour toutes ou par nom de
    colonne ; les colonnes d'entiers n'en ont pas, les autres colonnes restent telles quelles.
    """
    default, per_column = (4, digits) if isinstance(digits, dict) else (digits, {})
    formats = {}
    for column in frame.columns:
        if pd.api.types.is_integer_dtype(frame[column]):
            formats[column] = functools.partial(fr, digits=0)
        elif pd.api.types.is_float_dtype(frame[column]):
            formats[column] = functools.partial(fr, digits=per_column.get(column, default))
    return frame.style.hide(axis="index").format(formats)
