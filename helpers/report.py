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


NNBSP = "\u202f"  # espace fine insécable : milliers, et autour de « × »
MINUS = "\u2212"  # vrai signe moins


def _french(text: str) -> str:
    """Écrit à la française un nombre que Python a formaté (« 1,234.5 », « -3.2e-13 ») : espace fine
    entre les milliers, virgule décimale, signe moins, puissance de dix en exposant."""
    mantissa, _, exponent = text.partition("e")
    mantissa = mantissa.replace(",", NNBSP).replace(".", ",").replace("-", MINUS)
    if not exponent:
        return mantissa
    return f"{mantissa}{NNBSP}×{NNBSP}10{str(int(exponent)).translate(SUPERSCRIPTS)}"


def french_number(value: float) -> str:
    """Nombre à la française, sous sa forme la plus courte (six chiffres significatifs au plus).

    C'est aussi le texte des graduations des figures (voir :func:`helpers.plots.french_axes`) :
    figures et texte écrivent les nombres de la même façon.

    Renvoie : une chaîne, par exemple « −0,5 », « 1 200 » ou « 1 × 10⁻⁶ ».
    """
    return _french(f"{value:,g}")


def fr(value: float, digits: int = 2) -> str:
    """Nombre au format français : virgule décimale, espace fine entre les milliers, signe moins.

    Arguments :

    - ``value`` : le nombre ;
    - ``digits`` : nombre de décimales (arrondi).

    Renvoie : une chaîne, par exemple ``fr(-1234.5678)`` donne « −1 234,57 ».
    """
    return _french(f"{value:,.{digits}f}")


def sci(value: float, digits: int = 1) -> str:
    """Nombre à la française avec ``digits`` chiffres après le premier chiffre significatif.

    Par exemple « 0,14 », « 1,6 », ou en notation scientifique hors de [0,01 ; 1 000[
    (« 3,2 × 10⁻¹³ »).

    Sert aux grandeurs d'ordres variés (poids β, écarts, valeurs p) ; ``sci(0)`` donne « 0 ».

    Renvoie : une chaîne.
    """
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10.0**exponent, digits)
    if abs(mantissa) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    if -2 <= exponent <= 2:
        return fr(value, max(0, digits - exponent))
    return _french(f"{mantissa:.{digits}f}e{exponent}")


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
    """Enregistre ``value`` (formatée en français) sous ``name`` pour ``{glue:md}``.

    Quand myst-nb n'est pas installé (dans Colab par exemple), n'enregistre rien et affiche
    seulement la valeur si ``show``.

    Arguments :

    - ``name`` : le nom sous lequel le texte de la page appelle la valeur ;
    - ``value`` : un nombre (Python, NumPy ou tenseur à un élément), mis en forme par :func:`fr`,
      ou une chaîne, gardée telle quelle ;
    - ``digits`` : nombre de décimales d'un nombre ;
    - ``show`` : affiche aussi la valeur dans le notebook.

    Exemple : ::

        glue("n_train", len(x_train), digits=0)
    """
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
    """Enregistre une figure pour ``{glue:figure}`` (légende numérotée dans le livre).

    Hors du livre, l'affiche simplement. Dans les deux cas, la figure ``fig`` (matplotlib) est
    ensuite fermée.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        display(fig)
    else:
        myst_glue(name, fig, display=False)
    plt.close(fig)


def table(frame: pd.DataFrame, digits: int | dict[str, int] = 4):
    """Tableau pandas à la française, sans index numérique.

    Les nombres ont une virgule décimale, une espace fine entre les milliers et un vrai signe
    moins.

    ``digits`` donne le nombre de décimales des colonnes de flottants, pour toutes ou par nom de
    colonne ; les colonnes d'entiers n'en ont pas, les autres colonnes restent telles quelles.
    Avec un dictionnaire, les colonnes de flottants qui n'y figurent pas ont 4 décimales.

    Renvoie : un ``Styler`` pandas, que Jupyter affiche comme un tableau (``frame`` n'est pas
    modifié).

    Exemple : ::

        table(results, digits={"MSE test": 4, "PSNR test (dB)": 2})
    """
    default, per_column = (4, digits) if isinstance(digits, dict) else (digits, {})
    formats = {}
    for column in frame.columns:
        if pd.api.types.is_integer_dtype(frame[column]):
            formats[column] = functools.partial(fr, digits=0)
        elif pd.api.types.is_float_dtype(frame[column]):
            formats[column] = functools.partial(fr, digits=per_column.get(column, default))
    return frame.style.hide(axis="index").format(formats)
