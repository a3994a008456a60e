"""Accessibilité de chaque page, dans le thème clair et dans le thème sombre : axe-core (paquet
``axe-playwright-python``, dont le script ``axe.min.js`` est injecté depuis le disque, sans
réseau), règles WCAG 2.1 A et AA et bonnes pratiques. Aucune violation d'impact « serious » ni
« critical » n'est admise ; toutes sont relevées, par impact, dans ``accessibilite.json`` à côté
du site. Les figures doivent rester lisibles sur le fond sombre : elles sont opaques (fond blanc
peint dans l'image), jamais transparentes ; les icônes du thème (logo de Colab…) ne sont pas des
figures."""

import json
from collections import Counter
from pathlib import Path

import matplotlib.image
import pytest
from axe_playwright_python.sync_playwright import Axe

from localserver import keep_local, open_and_typeset
from sitepages import toc_pages

THEMES = ("light", "dark")
FIGURE_PAGES = {name for name in toc_pages() if name.startswith("chapters/")}
BLOCKING = ("serious", "critical")
OPTIONS = {"resultTypes": ["violations"],
           "runOnly": {"type": "tag",
                       "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


@pytest.fixture(scope="module")
def report(site_dir):
    """Violations relevées, par thème, page et règle ; écrites à la fin du module."""
    found = {theme: {} for theme in THEMES}
    yield found
    summary = {theme: dict(Counter(v["impact"] for page in pages.values() for v in page))
               for theme, pages in found.items()}
    path = site_dir.parent / "accessibilite.json"
    path.write_text(json.dumps({"par_impact": summary, "violations": found}, indent=1,
                               ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.fixture(scope="module", params=THEMES)
def themed(request, browser, base_url):
    """Un onglet dont le système demande le thème ``request.param`` (le thème du site suit)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR",
                                  color_scheme=request.param)
    page = context.new_page()
    keep_local(page, [])
    yield request.param, page
    context.close()


@pytest.mark.parametrize("name", toc_pages())
def test_no_serious_or_critical_violation(themed, base_url, site_dir, report, name):
    theme, page = themed
    open_and_typeset(page, f"{base_url}{name}.html")
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    violations = Axe().run(page, options=OPTIONS).response["violations"]
    report[theme][name] = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                            "nodes": len(v["nodes"]),
                            "exemple": v["nodes"][0]["target"] if v["nodes"] else None}
                           for v in violations]
    blocking = [f"{v['id']} ({v['impact']}, {len(v['nodes'])} éléments : {v['help']}) "
                f"ex. {v['nodes'][0]['target']}" for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{name}, thème {theme} : " + " ; ".join(blocking)
    if theme == "dark":
        sources = page.evaluate("""[...document.querySelectorAll('main img')]
            .map(img => new URL(img.src).pathname)
            .filter(src => src.includes('/_images/') && src.endsWith('.png'))""")
        assert sources or name not in FIGURE_PAGES, f"{name} : aucune figure trouvée"
        transparent = [src for src in sources if _transparent(site_dir / src.lstrip("/"))]
        assert not transparent, f"figures transparentes, illisibles sur fond sombre : {transparent}"


def _transparent(png: Path) -> bool:
    image = matplotlib.image.imread(png)
    return image.ndim == 3 and image.shape[2] == 4 and float(image[..., 3].min()) < 1.0
