"""Ce que le générateur des notebooks étudiants sait du cours publié : les adresses de
``_config.yml`` (site, dépôt, version à installer) et trois relevés versionnés de ``results/``,
écrits par ``make results`` depuis le site complet :

- ``site-index.json`` : page, ancre et numéro de chaque étiquette du livre, tels que le site les
  affiche (écrit par l'extension ``sphinx_course`` à chaque construction) ;
- ``glued.json`` : le texte de chaque valeur calculée (``glue``) des pages, en mode complet ;
- ``expected/<page>/`` : les figures (PNG réduits) et tableaux (HTML) produits par la solution de
  chaque exercice, que le notebook offre en « Résultat attendu ».
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
SITE_INDEX = RESULTS / "site-index.json"
GLUED = RESULTS / "glued.json"
EXPECTED = RESULTS / "expected"


class MissingData(LookupError):
    """Une référence, une valeur ou une figure que les relevés de ``results/`` ne connaissent pas."""


@lru_cache(maxsize=1)
def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def site_url() -> str:
    """Adresse du site publié (``html.baseurl`` de ``_config.yml``), terminée par « / »."""
    return book_config()["html"]["baseurl"].rstrip("/") + "/"


def install_requirement() -> str:
    """Ce que ``pip install`` installe sur Colab : le paquet ``helpers`` du dépôt de
    ``_config.yml``, à l'étiquette de version ``course_release`` si elle est donnée, sinon sur la
    branche du dépôt."""
    config = book_config()
    ref = config["sphinx"]["config"].get("course_release") or config["repository"]["branch"]
    return f"autoencodeurs-helpers @ git+{config['repository']['url']}@{ref}"


def _read_json(path: Path) -> dict:
    if not path.exists():
        raise MissingData(f"{path.relative_to(ROOT)} absent : lancez `make results`.")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class CourseData:
    """Les relevés de ``results/`` et l'adresse du site, pour une page ``chapters/<stem>``."""

    stem: str

    @property
    def docname(self) -> str:
        return f"chapters/{self.stem}"

    @cached_property
    def index(self) -> dict:
        return _read_json(SITE_INDEX)

    @cached_property
    def glued(self) -> dict[str, str]:
        return _read_json(GLUED).get(self.stem, {})

    def url(self, docname: str, anchor: str = "") -> str:
        return site_url() + docname + ".html" + (f"#{anchor}" if anchor else "")

    def target(self, label: str) -> dict:
        """Page, ancre, nature et numéro de l'étiquette ``label`` sur le site."""
        try:
            return self.index["labels"][label]
        except KeyError:
            raise MissingData(f"étiquette « {label} » inconnue de results/site-index.json "
                              "(étiquette nouvelle ? lancez `make site-index`)") from None

    def label_url(self, label: str) -> str:
        target = self.target(label)
        return self.url(target["page"], target["anchor"])

    def number(self, label: str) -> int:
        return self.target(label)["number"]

    def page_title(self, docname: str) -> str:
        try:
            return self.index["pages"][docname]
        except KeyError:
            raise MissingData(f"page « {docname} » inconnue de results/site-index.json") from None

    def resolve_doc(self, target: str) -> str:
        """Le nom de page (``chapters/tp2_…``) d'une cible ``{doc}`` écrite depuis cette page."""
        target = target.removesuffix(".md")
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), target))

    def citation_url(self, key: str) -> str:
        try:
            citation = self.index["citations"][key]
        except KeyError:
            raise MissingData(f"citation « {key} » inconnue de results/site-index.json") from None
        return self.url(citation["page"], citation["anchor"])

    def api_url(self, name: str) -> str:
        """Adresse de l'entrée de l'objet ``name`` (``helpers.train.fit``) sur la page de la
        bibliothèque."""
        try:
            entry = self.index["api"][name]
        except KeyError:
            raise MissingData(f"« {name} » n'est pas documenté sur la page de la bibliothèque "
                              "(results/site-index.json)") from None
        return self.url(entry["page"], entry["anchor"])

    def glued_text(self, name: str) -> str:
        try:
            return self.glued[name]
        except KeyError:
            raise MissingData(f"valeur « {name} » absente de results/glued.json pour {self.stem} "
                              "(lancez `make results`)") from None

    def expected(self, label: str) -> list[Path]:
        """Les résultats attendus (``.png``, ``.html``) de l'exercice ``label``, dans l'ordre."""
        folder = EXPECTED / self.stem
        return sorted(folder.glob(f"{label}-*.*")) if folder.exists() else []
