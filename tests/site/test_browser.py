"""Chaque page de la table des matières, telle qu'un étudiant la voit dans son navigateur."""

import re
from pathlib import Path

import pytest

from sitepages import expected_colab_link, toc_pages, tracked_in_git

PAGES = toc_pages()
SCREENSHOTS = {"intro": "premiere-page.png", "chapters/tp5_vae": "tp5-vae.png"}

# Restes de syntaxe qui ne devraient jamais atteindre le lecteur (hors blocs de code).
RAW_SYNTAX = {
    "$$": re.compile(r"\$\$"),
    "formule entre $ non rendue": re.compile(r"(?<![\w$])\$[^$\s][^$\n]{0,80}\$(?![\w$])"),
    r"\begin / \end": re.compile(r"\\(begin|end)\{"),
    r"\( ou \[": re.compile(r"\\[(\[]"),
    "rôle MyST": re.compile(r"\{[a-z]+(:[a-z-]+)?\}`"),
    "directive MyST": re.compile(r"(^|\n)\s*(```|:::)"),
}

# Représentation brute d'un objet Python (valeur de retour oubliée en fin de cellule).
OBJECT_REPR = re.compile(r"<[\w.]+(?: object)? at 0x[0-9a-f]+>")

# Texte visible de l'article, sans le code, les sorties brutes ni les formules rendues.
ARTICLE_TEXT_JS = """() => {
    const article = document.querySelector("article.bd-article").cloneNode(true);
    article.querySelectorAll("pre, code, script, style, mjx-container").forEach(n => n.remove());
    return article.innerText;
}"""

MATH_JS = """() => {
    const math = [...document.querySelectorAll("article .math")];
    return {
        total: math.length,
        unrendered: math.filter(m => !m.querySelector("mjx-container")).map(m => m.textContent),
        errors: [...document.querySelectorAll("mjx-merror")].map(
            e => e.getAttribute("data-mjx-error") || e.textContent),
    };
}"""

IMAGES_JS = """() => [...document.querySelectorAll("img")].map(img => {
    const caption = img.closest("figure")?.querySelector("figcaption")?.textContent.trim() || "";
    return {src: img.getAttribute("src"), loaded: img.complete && img.naturalWidth > 0,
            alt: (img.getAttribute("alt") || "").trim(), caption: caption};
})"""


def page_url(page: str) -> str:
    return f"{page}.html"


def is_file_name(alt: str) -> bool:
    return not alt or bool(re.search(r"(^|/)[\w.-]+\.(png|jpe?g|svg|gif)$", alt))


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_cleanly(visit, site_dir, page):
    seen = visit(page_url(page))
    assert not seen.console_errors, f"erreurs JavaScript : {seen.console_errors}"
    assert not seen.blocked, f"la page demande des ressources en ligne : {seen.blocked}"

    text = seen.page.evaluate(ARTICLE_TEXT_JS)
    leftovers = {name: pattern.search(text).group(0)
                 for name, pattern in RAW_SYNTAX.items() if pattern.search(text)}
    assert not leftovers, f"syntaxe non rendue dans le texte : {leftovers}"

    article = seen.page.eval_on_selector("article.bd-article", "a => a.textContent")  # replié compris
    leaked = OBJECT_REPR.search(article)
    assert not leaked, f"objet Python affiché tel quel : {leaked and leaked.group(0)}"

    math = seen.page.evaluate(MATH_JS)
    assert not math["unrendered"], f"formules non rendues par MathJax : {math['unrendered'][:3]}"
    assert not math["errors"], f"erreurs TeX : {math['errors']}"

    for image in seen.page.evaluate(IMAGES_JS):
        assert image["loaded"], f"image non chargée : {image['src']}"
        assert image["caption"] or not is_file_name(image["alt"]), (
            f"image sans texte alternatif ni légende : {image['src']}")

    if page in SCREENSHOTS:
        folder = site_dir.parent / "screenshots"
        folder.mkdir(exist_ok=True)
        seen.page.screenshot(path=str(folder / SCREENSHOTS[page]), full_page=True)


def test_math_is_rendered_where_the_theory_is(visit):
    """Garde-fou du test précédent : une page de théorie a bien des formules, toutes rendues."""
    math = visit("chapters/03_vae.html").page.evaluate(MATH_JS)
    assert math["total"] >= 20 and not math["unrendered"]


@pytest.mark.parametrize("page", PAGES)
def test_colab_link_opens_the_student_notebook(visit, page):
    seen = visit(page_url(page))
    links = seen.page.eval_on_selector_all(
        "a[href*='colab.research.google.com']", "links => links.map(a => a.href)")
    expected = expected_colab_link(page)
    if expected is None:
        assert not links, f"bouton Colab sans notebook étudiant dans le dépôt : {links}"
        return
    assert links == [expected]
    assert tracked_in_git(f"{page}.ipynb"), f"{page}.ipynb n'est pas versionné"


def test_every_tp_opens_in_colab():
    for page in (p for p in PAGES if Path(p).name.startswith("tp")):
        assert expected_colab_link(page) is not None, f"{page} n'a pas de notebook étudiant"


@pytest.mark.parametrize("page", PAGES)
def test_dropdowns_are_closed_then_open_on_click(visit, page):
    seen = visit(page_url(page))
    dropdowns = seen.page.locator("article .dropdown.admonition")
    for i in range(dropdowns.count()):
        dropdown = dropdowns.nth(i)
        body = dropdown.locator(":scope > :not(.admonition-title)").first
        title = dropdown.locator(":scope > .admonition-title")
        label = title.inner_text().strip()
        assert not body.is_visible(), f"« {label} » est ouvert au chargement"
        url = seen.page.url
        title.click()  # au milieu du titre, sur le lien vers l'énoncé s'il y en a un
        body.wait_for(state="visible", timeout=2000)
        assert seen.page.url == url, f"cliquer sur « {label} » quitte la solution"


def test_every_tp_has_a_solution_dropdown(visit):
    """Les solutions des TP sont bien des menus déroulants (sinon le test précédent ne voit rien)."""
    for page in (p for p in PAGES if Path(p).name.startswith("tp")):
        solutions = visit(page_url(page)).page.locator("article .solution.dropdown")
        assert solutions.count() >= 1, f"aucune solution repliée dans {page}"


def test_search_finds_a_french_term(visit):
    seen = visit("search.html?q=reparam%C3%A9trisation")
    results = seen.page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=10_000)
    targets = results.evaluate_all("items => items.map(li => li.querySelector('a').href)")
    assert any("03_vae" in t for t in targets), targets
    assert not seen.console_errors, seen.console_errors
