"""Références du livre, lues dans les sources : chaque entrée de ``references.bib`` est citée, chaque
citation existe, et aucun renvoi numéroté n'est écrit à la main (« figure 3 », « exercice 6 ») :
les numéros viennent des rôles MyST ({numref}, {eq}, {prf:ref}…), que la construction -n -W
vérifie. Les figures et les exercices étant numérotés page par page (tools/sphinx_course.py), un
renvoi vers une autre page doit dire laquelle. Les liens du site construit sont vérifiés par
tests/site/test_site_links.py."""

import re
from pathlib import Path

import pybtex.database
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
HAND_NUMBERED = re.compile(
    r"\b(figures?|fig\.|équations?|éq\.|exercices?|propositions?|théorèmes?|définitions?|lemmes?)"
    r"\s+\(?\d+(?:[.,]\d+)?\)?", re.IGNORECASE)


def book_sources() -> list[Path]:
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    files = [yaml.safe_load(toc)["root"], *re.findall(r"file:\s*(\S+)", toc)]
    return [ROOT / f"{name}.md" for name in files]


def prose(path: Path) -> str:
    """Le texte d'une page sans ses blocs de code (cellules, code, directives à fences)."""
    text = path.read_text(encoding="utf-8")
    return re.sub(r"^```\{code-cell\}.*?^```\s*$", "", text, flags=re.MULTILINE | re.DOTALL)


NUMREF = re.compile(r"\{numref\}`(?:([^`<]*?)\s*<)?([\w-]+)>?`")
LABEL = re.compile(r"^\s*(?::label:|:name:|name:)\s*([\w-]+)\s*$", re.MULTILINE)


def cited_keys(text: str) -> set[str]:
    return {key.strip() for group in CITATION.findall(text) for key in group.split(",")}


def test_every_source_exists():
    missing = [str(p.relative_to(ROOT)) for p in book_sources() if not p.is_file()]
    assert not missing


def test_every_bibliography_entry_is_cited_and_every_citation_exists():
    entries = set(pybtex.database.parse_file(ROOT / "references.bib").entries)
    cited = set().union(*(cited_keys(p.read_text(encoding="utf-8")) for p in book_sources()))
    assert sorted(entries - cited) == [], "entrées de references.bib jamais citées"
    assert sorted(cited - entries) == [], "citations absentes de references.bib"


def test_no_hand_written_numbered_reference():
    found = {str(p.relative_to(ROOT)): HAND_NUMBERED.findall(prose(p)) for p in book_sources()}
    assert {page: hits for page, hits in found.items() if hits} == {}


def test_numbered_per_page_references_name_their_page():
    """Un renvoi {numref} vers la figure ou l'exercice d'une autre page (numéros propres à chaque
    page) doit nommer cette page dans son texte (« exercice %s du chapitre 1 »)."""
    pages = {p: p.read_text(encoding="utf-8") for p in book_sources()}
    home = {label: p for p, text in pages.items() for label in LABEL.findall(text)}
    ambiguous = [f"{p.name} → {label}" for p, text in pages.items()
                 for words, label in NUMREF.findall(text)
                 if home.get(label, p) != p and not re.search(r"\b(chapitre|TP)\b", words or "")]
    assert ambiguous == []


@pytest.mark.parametrize("text, expected", [
    ("comme le montre la figure 3 ci-dessous", 1),
    ("voir l'équation (2) et l'Exercice 6", 2),
    ("voir la {numref}`fig-tp1-latent` et {eq}`eq-elbo`", 0),
    ("les 16 premières composantes, 2 figures", 0),
])
def test_hand_numbered_pattern(text, expected):
    assert len(HAND_NUMBERED.findall(text)) == expected


def test_citation_pattern():
    assert cited_keys("{cite:p}`a2020, b2021` et {cite:t}`c` puis {cite}`d`") == {"a2020", "b2021",
                                                                                   "c", "d"}
