"""Chaque lien interne du site construit mène quelque part : fichier existant et, s'il y a une
ancre (#…), élément de cet identifiant dans la page visée. Cela couvre les renvois aux figures,
équations, exercices, propositions et entrées de la bibliographie."""

from functools import cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from sitepages import toc_pages

LINK_ATTRIBUTES = {"a": "href", "img": "src", "link": "href", "script": "src"}


@cache
def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def anchors(path: Path) -> set[str]:
    soup = parse(path)
    return ({tag["id"] for tag in soup.find_all(id=True)}
            | {tag["name"] for tag in soup.find_all("a", attrs={"name": True})})


def broken_links(page: Path) -> list[str]:
    broken = []
    for tag, attribute in LINK_ATTRIBUTES.items():
        for element in parse(page).find_all(tag, attrs={attribute: True}):
            link = urlsplit(element[attribute])
            if link.scheme or link.netloc:  # lien externe (https:, mailto:, data:…)
                continue
            target = (page.parent / unquote(link.path)).resolve() if link.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(element[attribute])
            elif link.fragment and target.suffix == ".html" and unquote(link.fragment) not in anchors(target):
                broken.append(element[attribute])
    return broken


@pytest.mark.parametrize("page", [*toc_pages(), "genindex", "search", "prf-prf"])
def test_internal_links_resolve(site_dir, page):
    path = site_dir / f"{page}.html"
    assert path.is_file(), f"page absente du site : {page}.html"
    assert broken_links(path) == []


def test_the_check_sees_a_broken_anchor(tmp_path):
    """Garde-fou : une ancre inexistante et un fichier absent sont bien signalés."""
    page = tmp_path / "page.html"
    page.write_text('<p id="ici"><a href="#ici">ok</a> <a href="#ailleurs">ancre</a> '
                    '<img src="absente.png"></p>', encoding="utf-8")
    assert broken_links(page) == ["#ailleurs", "absente.png"]


@pytest.mark.parametrize("page", toc_pages())
def test_every_page_states_the_licences_in_its_footer(site_dir, page):
    footer = parse(site_dir / f"{page}.html").find("footer", class_="bd-footer-content")
    assert footer is not None, f"{page}.html n'a pas de pied de page"
    text = " ".join(footer.get_text().split())
    assert "CC BY-SA 4.0" in text and "licence MIT" in text, text
    licence = footer.find("a", string="CC BY-SA 4.0")
    assert licence["href"] == "https://creativecommons.org/licenses/by-sa/4.0/deed.fr"


def test_the_issue_button_opens_the_french_errata_form_about_this_page(site_dir):
    root = Path(__file__).resolve().parents[2]
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    page = "chapters/tp7_applications"
    links = [a["href"] for a in parse(site_dir / f"{page}.html").find_all("a", href=True)
             if "/issues/new" in a["href"]]
    repository = config["repository"]["url"].rstrip("/")
    address = config["html"]["baseurl"].rstrip("/") + f"/{page}.html"
    assert links and set(links) == {f"{repository}/issues/new?template=errata.yml&page="
                                    f"{quote(address, safe='')}"}
    assert (root / ".github" / "ISSUE_TEMPLATE" / "errata.yml").is_file()
