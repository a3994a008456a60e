"""Typographie française du site construit : dans tout le texte des pages (article, navigation,
pied de page ; hors code, formules et sorties de cellules), aucune espace ordinaire avant
« : ; ! ? » ni à l'intérieur des guillemets."""

import re

import pytest
from bs4 import BeautifulSoup

from sitepages import toc_pages

VERBATIM = "pre, code, script, style, kbd, samp, svg, .math, .cell_output, .highlight, .headerlink"
WRONG = re.compile(r".{0,30}(?:[ \t\n][:;!?](?=\s|$)|«[ \t\n]|[ \t\n]»).{0,10}")


@pytest.mark.parametrize("page", toc_pages())
def test_french_spaces_in_prose(site_dir, page):
    soup = BeautifulSoup((site_dir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    for element in soup.body.select(VERBATIM):
        element.decompose()
    prose = soup.body.get_text()
    assert len(prose) > 200, f"{page} : texte de la page introuvable"
    wrong = WRONG.findall(prose)
    assert not wrong, f"{page} : espace ordinaire avant une ponctuation double : {wrong[:5]}"


ENGLISH_LABELS = re.compile(r"\b(?:Proof|Theorem|Lemma|Definition|Exercise|Solution to|Remark)\b[ .]")


@pytest.mark.parametrize("page", toc_pages())
def test_no_english_label_in_prose(site_dir, page):
    """Les libellés des extensions (sphinx-proof, sphinx-exercise) sont traduits : pas de
    « Proof. » ni de « Theorem » dans le texte des pages."""
    soup = BeautifulSoup((site_dir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    for element in soup.body.select(VERBATIM + ", .bibliography, .citation"):
        element.decompose()
    english = ENGLISH_LABELS.findall(soup.body.get_text())
    assert not english, f"{page} : libellés en anglais {english[:5]}"
