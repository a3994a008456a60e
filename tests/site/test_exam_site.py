"""Le site sans solutions (``make book-enonces``) ne publie aucune solution : ni bloc de solution,
ni texte d'une solution rédigée, ni ligne de code d'une solution de TP.

Avec ``--enonces``, le site testé est celui des examens ; sans, le même détecteur doit trouver les
solutions de chaque page du site ordinaire (sinon il ne prouverait rien sur l'autre)."""

import re
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from course_solutions import solution_code_lines, solution_prose
from sitepages import ROOT, toc_pages

PAGES = [page for page in toc_pages()
         if page.startswith("chapters/") and "solution" in (ROOT / f"{page}.md").read_text("utf-8")]


@cache
def published(site: Path, page: str) -> tuple[BeautifulSoup, str, str]:
    """La page publiée : son arbre, son texte (espaces réduits) et le texte de ses cellules de code."""
    soup = BeautifulSoup((site / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup
    text = re.sub(r"\s+", " ", article.get_text(" "))
    code = "\n".join(pre.get_text() for pre in article.find_all("pre"))
    return soup, text, code


def leaks(site: Path, page: str) -> dict[str, list[str]]:
    soup, text, code = published(site, page)
    source = ROOT / f"{page}.md"
    return {
        "blocs": [element.get("id", "?") for element in soup.select("div.solution")],
        "texte": [fragment for fragment in solution_prose(source) if fragment in text],
        "code": [line for line in solution_code_lines(source) if line in code],
    }


@pytest.mark.parametrize("page", PAGES)
def test_the_exam_site_publishes_no_solution(site_dir, page, pytestconfig):
    found = leaks(site_dir, page)
    if pytestconfig.getoption("--enonces"):
        assert found == {"blocs": [], "texte": [], "code": []}, f"solutions publiées dans {page}"
    else:  # le site ordinaire : le détecteur voit les solutions
        assert found["blocs"] and found["texte"], f"solutions introuvables dans {page}"
        if "{solution-start}" in (ROOT / f"{page}.md").read_text(encoding="utf-8"):
            assert found["code"], f"code des solutions introuvable dans {page}"
