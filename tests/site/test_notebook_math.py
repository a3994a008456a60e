"""Les notebooks étudiants (``chapters/*.ipynb``) tels que Jupyter les affiche : formules et images.

Jupyter (JupyterLab 4, Notebook 7) rend les formules des cellules Markdown avec MathJax 3 et
tous ses paquets TeX ; il est plus strict que le site sur certaines constructions MyST. Chaque
notebook est donc exporté en HTML par nbconvert (modèle ``lab``), puis ouvert dans Chromium, hors
ligne : MathJax 3 est celui que fournit le paquet ``sphinx-mathjax-offline``, servi sur localhost
avec la page.

Le modèle ``lab`` de nbconvert charge MathJax 2 depuis un CDN (``mathjax.html.j2``) et RequireJS
depuis un autre : un petit modèle qui l'étend (``NOTEBOOK_TEMPLATE``) les remplace par MathJax 3
configuré comme dans Jupyter, sauf le paquet ``noundefined`` : une macro inconnue, que Jupyter
écrirait en rouge telle quelle, devient ici une erreur. Le paquet ``noerrors`` (actif dans
Jupyter comme ici) garde le texte TeX de chaque formule fautive, ce qui permet de la citer.

Utilisable hors de pytest, pour vérifier un notebook quelconque :

    with tempfile.TemporaryDirectory() as folder, serving(prepare_folder(Path(folder))) as url:
        problems = check_notebook(browser, Path("mon_notebook.ipynb"), Path(folder), url)
"""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

from localserver import keep_local, serving
from sitepages import ROOT

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))

# Point d'entrée de MathJax 3 avec tous les paquets TeX, comme Jupyter (AllPackages).
MATHJAX_ENTRY = "tex-chtml-full.js"

# Nombre de problèmes cités par catégorie dans un message d'échec.
SHOWN = 5

NOTEBOOK_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}
{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
    displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
    processEscapes: true,
    processEnvironments: true,
    packages: {"[-]": ["noundefined"]}
  },
  options: {enableMenu: false}
};
</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
"""

# Formules rendues, erreurs TeX (avec le texte de la formule fautive) et macros inconnues
# écrites en rouge (au cas où ``noundefined`` serait actif malgré la configuration). Le rendu CHTML
# dessine les caractères en CSS, sans texte dans le DOM : les macros en rouge se lisent dans le
# MathML interne de MathJax.
MATH_JS = """() => {
    const cells = [...document.querySelectorAll(".jp-MarkdownCell .jp-RenderedMarkdown")];
    const inCells = node => cells.some(cell => cell.contains(node));
    const containers = cells.flatMap(cell => [...cell.querySelectorAll("mjx-container")]);
    const items = Array.from(MathJax.startup.document.math).filter(i => inCells(i.typesetRoot));
    const source = new Map(items.map(item => [item.typesetRoot, item.math]));
    const formula = node => source.get(node.closest("mjx-container")) || node.textContent;
    const visible = node => !node.closest("mjx-assistive-mml");  // copie MathML pour l'accessibilité
    const errors = cells.flatMap(cell => [...cell.querySelectorAll("mjx-merror, [data-mjx-error]")])
        .filter(visible)
        .filter((node, i, all) => !all.slice(0, i).some(other => other.contains(node)))
        .map(node => ({formula: formula(node),
                       message: node.getAttribute("data-mjx-error") || node.textContent}));
    const red = items.flatMap(item => [...MathJax.startup.toMML(item.root).matchAll(
            /<mtext[^>]*mathcolor="red"[^>]*>(\\\\[^<]*)<\\/mtext>/g)]
        .map(match => ({formula: item.math, message: "macro inconnue " + match[1]})));
    return {version: MathJax.version, rendered: containers.length, errors: [...errors, ...red]};
}"""

# Texte visible des cellules Markdown, sans le code ni les formules rendues (indices repliés
# compris : textContent ne tient pas compte de <details> fermé).
MARKDOWN_TEXT_JS = """() => [...document.querySelectorAll(".jp-MarkdownCell .jp-RenderedMarkdown")]
    .map(cell => {
        const copy = cell.cloneNode(true);
        copy.querySelectorAll("pre, code, script, style, mjx-container, mjx-assistive-mml")
            .forEach(n => n.remove());
        return copy.textContent;
    })"""

# Images des cellules Markdown, une fois chacune chargée ou en échec.
IMAGES_JS = """async () => {
    const images = [...document.querySelectorAll(".jp-MarkdownCell img")];
    await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
        img.addEventListener("load", done);
        img.addEventListener("error", done);
    })));
    return images.map(img => ({
        src: img.getAttribute("src") || "",
        alt: img.getAttribute("alt") || "",
        loaded: img.complete && img.naturalWidth > 0,
    }));
}"""

# Délimiteurs de formules restés dans le texte : MathJax ne les a pas reconnus.
UNPROCESSED = {
    "$$": re.compile(r"\$\$[^\n]{0,60}"),
    "$…$": re.compile(r"(?<![\w$])\$[^$\s][^$\n]{0,80}\$(?![\w$])"),
    r"\begin / \end": re.compile(r"\\(begin|end)\{[^\n]{0,60}"),
    r"\( ou \[": re.compile(r"\\[(\[][^\n]{0,60}"),
}


def mathjax_dir() -> Path:
    """Le dossier de MathJax 3 installé par ``sphinx-mathjax-offline`` (celui du site)."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        pytest.fail("sphinx-mathjax-offline introuvable : installez requirements.txt dans .venv.")
    folder = Path(spec.origin).parent / "static" / "mathjax"
    if not (folder / MATHJAX_ENTRY).is_file():
        pytest.fail(f"{MATHJAX_ENTRY} absent de {folder} : cette version de "
                    "sphinx-mathjax-offline ne fournit pas MathJax 3 complet.")
    return folder


def prepare_folder(folder: Path) -> Path:
    """Le dossier servi : les pages HTML des notebooks y sont écrites, à côté de ``mathjax/``."""
    (folder / "mathjax").symlink_to(mathjax_dir(), target_is_directory=True)
    return folder


def export_notebook(notebook: Path, folder: Path, base_url: str) -> str:
    """Écrit dans ``folder`` la page HTML du notebook (modèle lab, MathJax local) ; donne son nom."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"notebook_math.html.j2": NOTEBOOK_TEMPLATE})],
        template_file="notebook_math.html.j2",
        mathjax_url=f"{base_url}mathjax/{MATHJAX_ENTRY}",
    )
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    name = f"{notebook.stem}.html"
    (folder / name).write_text(body, encoding="utf-8")
    return name


def has_math(notebook: Path) -> bool:
    """Vrai si une cellule Markdown du notebook contient un ``$``."""
    cells = nbformat.read(notebook, as_version=4).cells
    return any(cell.cell_type == "markdown" and "$" in cell.source for cell in cells)


def _shorten(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width] + "…"


def _listing(title: str, items: list[str]) -> str:
    shown = "\n".join(f"    - {item}" for item in items[:SHOWN])
    more = f"\n    … et {len(items) - SHOWN} autre(s)" if len(items) > SHOWN else ""
    return f"{title} ({len(items)}) :\n{shown}{more}"


def check_notebook(browser, notebook: Path, folder: Path, base_url: str) -> list[str]:
    """Exporte le notebook, l'ouvre hors ligne dans ``browser`` et attend la fin de MathJax.

    Donne la liste des problèmes, en français, chacun avec les premières formules ou images en
    cause ; liste vide si tout est rendu."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    name = export_notebook(notebook, folder, base_url)
    page = browser.new_page()
    blocked, missing, js_errors = [], [], []
    keep_local(page, blocked)
    page.on("response", lambda r: r.status >= 400 and missing.append(f"{r.url} ({r.status})"))
    # « Failed to load resource » ne dit pas quelle ressource : « missing » la nomme.
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load")
            and js_errors.append(m.text))
    page.on("pageerror", lambda e: js_errors.append(str(e)))
    try:
        page.goto(base_url + name, wait_until="load")
        try:
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise",
                                   timeout=30_000)
        except PlaywrightTimeoutError:
            math = None
        else:
            page.evaluate("MathJax.startup.promise.then(() => true)")
            math = page.evaluate(MATH_JS)
        texts = page.evaluate(MARKDOWN_TEXT_JS)
        images = page.evaluate(IMAGES_JS)
    finally:
        page.close()

    problems = []
    if blocked:
        problems.append(_listing("requêtes hors de localhost", list(dict.fromkeys(blocked))))
    if missing:
        problems.append(_listing("ressources introuvables sur le serveur local",
                                 list(dict.fromkeys(missing))))
    if js_errors:
        problems.append(_listing("erreurs JavaScript", js_errors))
    if math is None:
        problems.append("MathJax ne s'est pas chargé en 30 s : aucune formule n'a été rendue")
    elif not str(math["version"]).startswith("3."):
        problems.append(f"MathJax {math['version']} chargé au lieu de MathJax 3")
    elif has_math(notebook) and not math["rendered"]:
        problems.append("des « $ » dans les cellules Markdown, mais aucune formule rendue")
    elif math["errors"]:
        problems.append(_listing("formules en erreur dans MathJax", [
            f"« {e['formula'].strip()} » : {e['message']}" for e in math["errors"]]))
    leftovers = [f"{kind} : « {match.group(0).strip()} »"
                 for text in texts for kind, pattern in UNPROCESSED.items()
                 for match in pattern.finditer(text)]
    if leftovers:
        problems.append(_listing("délimiteurs de formule non rendus dans le texte", leftovers))
    broken = [f"{_shorten(image['src'])} (texte alternatif « {image['alt']} »)"
              for image in images if not image["loaded"]]
    if broken:
        problems.append(_listing("images non chargées", broken))
    return problems


@pytest.fixture(scope="session")
def notebook_server(tmp_path_factory):
    """Un dossier temporaire servi sur localhost, avec MathJax : ``(dossier, adresse)``."""
    folder = prepare_folder(tmp_path_factory.mktemp("notebooks-html"))
    with serving(folder) as url:
        yield folder, url


def test_every_tp_has_a_student_notebook():
    """Garde-fou : sans notebook étudiant, le test suivant ne vérifierait rien."""
    assert any(path.stem.startswith("tp") for path in NOTEBOOKS), "aucun chapters/tp*.ipynb"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_student_notebook_math_renders_in_jupyter(browser, notebook_server, notebook):
    folder, url = notebook_server
    problems = check_notebook(browser, notebook, folder, url)
    assert not problems, (f"chapters/{notebook.name}, rendu comme dans Jupyter (MathJax 3) :\n"
                          + "\n".join(f"  {problem}" for problem in problems))
