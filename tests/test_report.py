"""Nombres à la française pour la prose et les tableaux, tels que les pages les affichent : à travers
``table`` (rendu HTML) et ``glue`` (texte Markdown enregistré pour ``{glue:md}``), la valeur brute
étant conservée pour results/reference.json."""

import re
import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch
from IPython.core.formatters import format_display_data

from helpers import report
from helpers.report import _Glued, fr, french_number, glue, glue_figure, sci, table

NNBSP = "\u202f"  # espace fine insécable, entre les milliers et autour de « × »
MINUS = "\u2212"  # vrai signe moins


def test_french_numbers():
    assert fr(-1234.5, 1) == f"{MINUS}1{NNBSP}234,5"
    assert fr(1_234_567.891) == f"1{NNBSP}234{NNBSP}567,89"
    assert fr(-0.5, 3) == f"{MINUS}0,500"
    assert fr(0.0) == "0,00"
    assert fr(1234.5, 0) == f"1{NNBSP}234"  # arrondi au pair, comme format()
    assert "-" not in fr(-3.0) and "." not in fr(2.5)


@pytest.mark.parametrize("value, text", [
    (0.25, "0,25"), (-3.0, f"{MINUS}3"), (1200.0, f"1{NNBSP}200"), (-1234.5, f"{MINUS}1{NNBSP}234,5"),
    (1e-6, f"1{NNBSP}×{NNBSP}10⁻⁶"), (-2.5e7, f"{MINUS}2,5{NNBSP}×{NNBSP}10⁷"), (0.0001, "0,0001"),
])
def test_shortest_french_number(value, text):
    assert french_number(value) == text


@pytest.mark.parametrize("value, digits", [(3.2e-13, 1), (1e-6, 0), (-4.5e8, 1), (0.25, 1), (12.5, 2)])
def test_shortest_form_agrees_with_the_prose_formats(value, digits):
    """Une graduation et le texte écrivent le même nombre de la même façon."""
    assert french_number(value) == sci(value, digits)


@pytest.mark.parametrize("value, digits, text", [
    (3.2e-13, 1, f"3,2{NNBSP}×{NNBSP}10⁻¹³"),
    (0.1449, 2, "0,145"),
    (0.14, 1, "0,14"),
    (1.6, 1, "1,6"),
    (12.34, 1, "12"),
    (994.0, 1, "994"),
    (999.6, 1, f"1,0{NNBSP}×{NNBSP}10³"),        # le report fait passer en notation scientifique
    (0.01, 1, "0,010"),                         # borne basse du format ordinaire
    (0.0099, 1, f"9,9{NNBSP}×{NNBSP}10⁻³"),
    (1000.0, 1, f"1,0{NNBSP}×{NNBSP}10³"),      # borne haute : notation scientifique
    (123_456.0, 2, f"1,23{NNBSP}×{NNBSP}10⁵"),
    (4.0e-7, 0, f"4{NNBSP}×{NNBSP}10⁻⁷"),
    # Report de la mantisse : 9,96 arrondi à un chiffre donne 10,0, soit 1,0 × 10 de plus.
    (9.96e-5, 1, f"1,0{NNBSP}×{NNBSP}10⁻⁴"),
    (9.996e7, 2, f"1,00{NNBSP}×{NNBSP}10⁸"),
    (-9.96e-5, 1, f"{MINUS}1,0{NNBSP}×{NNBSP}10⁻⁴"),
    (-3.2e-13, 1, f"{MINUS}3,2{NNBSP}×{NNBSP}10⁻¹³"),
    (-0.25, 1, f"{MINUS}0,25"),
    (0.0, 1, "0"),
])
def test_sci(value, digits, text):
    assert sci(value, digits) == text


def test_sci_default_digits():
    assert sci(3.21e-13) == f"3,2{NNBSP}×{NNBSP}10⁻¹³"


# --- table : le rendu HTML des pages ---------------------------------------------------------


def _cells(styler) -> tuple[list[str], list[list[str]]]:
    """En-têtes et cellules du tableau HTML produit par ``styler`` (tel que la page l'affiche)."""
    html = styler.to_html()
    body = html.split("<tbody>")[1]
    assert "<th" not in body, "l'index numérique doit être masqué"
    headers = re.findall(r"<th [^>]*>(.*?)</th>", html.split("<tbody>")[0])
    rows = [re.findall(r"<td [^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return headers, rows


@pytest.fixture
def frame():
    return pd.DataFrame({
        "code": [2, 1234],                 # entiers : jamais de décimales
        "erreur": [0.5, -2.25],            # flottants : digits décimales, vrai signe moins
        "psnr": [21.456, 1234.5],
        "modèle": ["dense", "convolutif"],  # texte : tel quel
    })


def test_table_renders_french_numbers(frame):
    headers, rows = _cells(table(frame))
    assert headers == ["code", "erreur", "psnr", "modèle"]
    assert rows == [
        ["2", "0,5000", "21,4560", "dense"],
        [f"1{NNBSP}234", f"{MINUS}2,2500", f"1{NNBSP}234,5000", "convolutif"],
    ]


def test_table_digits_for_all_columns_and_per_column(frame):
    _, rows = _cells(table(frame, digits=1))
    assert [row[:3] for row in rows] == [["2", "0,5", "21,5"], [f"1{NNBSP}234", f"{MINUS}2,2", f"1{NNBSP}234,5"]]
    # Par colonne : les colonnes absentes du dictionnaire gardent 4 décimales.
    _, rows = _cells(table(frame, digits={"psnr": 2}))
    assert [row[:3] for row in rows] == [["2", "0,5000", "21,46"], [f"1{NNBSP}234", f"{MINUS}2,2500", f"1{NNBSP}234,50"]]


def test_table_integer_columns_of_any_width():
    frame = pd.DataFrame({"n": np.array([60_000, 7], dtype=np.int32), "m": [10_000_000, 3]})
    assert _cells(table(frame, digits=3))[1] == [[f"60{NNBSP}000", f"10{NNBSP}000{NNBSP}000"], ["7", "3"]]


# --- glue : le texte Markdown enregistré pour {glue:md} --------------------------------------


@pytest.fixture
def glued(monkeypatch):
    """Ce que ``glue`` enregistre auprès de myst-nb : {nom: (objet, display)}."""
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, obj, display=True: seen.update({name: (obj, display)}))
    return seen


def _markdown(obj) -> str:
    return format_display_data(obj)[0]["text/markdown"]


def test_glue_registers_french_markdown_and_raw_value(glued):
    glue("erreur", 0.1234, digits=3)
    glue("taille", 12345.678)
    glue("delta", -0.5, digits=1)
    obj, display = glued["erreur"]
    assert _markdown(obj) == "0,123" and not display
    assert float(format_display_data(obj)[0]["text/plain"]) == 0.1234
    assert _markdown(glued["taille"][0]) == f"12{NNBSP}345,68"  # 2 décimales par défaut
    assert _markdown(glued["delta"][0]) == f"{MINUS}0,5"


def test_glue_of_tensors_numpy_and_text(glued):
    glue("t", torch.tensor(0.25), digits=1)
    glue("n", np.float32(1500.0), digits=0)
    glue("mode", "complet", show=True)
    assert _markdown(glued["t"][0]) == "0,2"  # 0,25 arrondi au pair
    assert glued["t"][0].value == 0.25 and type(glued["t"][0].value) is float
    assert _markdown(glued["n"][0]) == f"1{NNBSP}500"
    obj, display = glued["mode"]
    assert _markdown(obj) == "complet" and obj.value == "complet" and display


def test_glue_outside_the_book_shows_the_text_only_if_asked(monkeypatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb → ImportError
    shown = []
    monkeypatch.setattr(report, "display", shown.append)
    glue("erreur", 0.1234, digits=3)
    assert shown == []
    glue("erreur", 0.1234, digits=3, show=True)
    assert [obj.data for obj in shown] == ["0,123"]


def test_glued_value_shows_french_text_and_keeps_the_raw_value():
    data, _ = format_display_data(_Glued(fr(0.026861, 4), 0.026861))
    assert data["text/markdown"] == "0,0269"
    assert float(data["text/plain"]) == 0.026861
    assert format_display_data(_Glued("complet", "complet"))[0]["text/plain"] == "'complet'"


def test_glue_figure_registers_then_closes_the_figure(glued, monkeypatch):
    fig = plt.figure()
    other = plt.figure()  # la figure courante de pyplot, qui doit rester ouverte
    glue_figure("courbes", fig)
    assert glued["courbes"] == (fig, False)
    assert not plt.fignum_exists(fig.number) and plt.fignum_exists(other.number)
    plt.close(other)
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    shown = []
    monkeypatch.setattr(report, "display", shown.append)
    fig = plt.figure()
    glue_figure("courbes", fig)
    assert shown == [fig] and not plt.fignum_exists(fig.number)
