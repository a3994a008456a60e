"""Le site construit, servi sur localhost et visité par le Chromium du système (Playwright).

Lancement : ``make test-site`` (après ``make book-fast``), ou
``pytest tests/site --site _build/fast/_build/html``. Toute requête vers une autre machine que
localhost est bloquée et notée : le site doit fonctionner hors ligne.
"""

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from localserver import keep_local, open_and_typeset, serving


@pytest.fixture(scope="session")
def site_dir(pytestconfig) -> Path:
    site = Path(pytestconfig.getoption("--site")).resolve()
    if not (site / "index.html").is_file():
        pytest.fail(f"Pas de site construit dans {site} : lancez d'abord « make book-fast ».")
    return site


@pytest.fixture(scope="session")
def base_url(site_dir):
    with serving(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("AE_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium introuvable : installez-le (« apt-get install chromium ») ou "
                    "indiquez son chemin dans AE_CHROMIUM.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        yield browser
        browser.close()


@dataclass
class Visit:
    """Une page ouverte, avec ce que le navigateur a signalé pendant son chargement."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def visit(browser, base_url):
    """``visit("chapters/tp5_vae.html")`` : ouvre la page hors ligne et attend la fin de MathJax.

    Chaque page n'est chargée qu'une fois par session (MathJax est lent sur les grandes pages) :
    les tests qui cliquent viennent après ceux qui lisent."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    opened: dict[str, Visit] = {}

    def open_page(path: str) -> Visit:
        if path in opened:
            opened[path].page.bring_to_front()  # un onglet en arrière-plan est ralenti
            return opened[path]
        page = context.new_page()
        seen = Visit(page)
        keep_local(page, seen.blocked)
        page.on("console", lambda m: m.type == "error" and seen.console_errors.append(m.text))
        page.on("pageerror", lambda e: seen.console_errors.append(str(e)))
        open_and_typeset(page, base_url + path)
        opened[path] = seen
        return seen

    yield open_page
    context.close()
