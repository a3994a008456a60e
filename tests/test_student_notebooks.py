"""Les notebooks étudiants lus comme un étudiant les lit dans Jupyter ou Colab : ni syntaxe MyST, ni
« … », des liens absolus vers le site configuré, une légende sous chaque figure, une cellule de
réponse sous chaque exercice, une cellule d'installation qui dit quoi faire quand elle échoue. Puis
le générateur lui-même, sur de petites pages écrites pour l'essayer."""

import json
import re
import sys
import types
from pathlib import Path

import jupytext
import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from tools.course_data import CourseData, MissingData, install_requirement, site_url
from tools.make_notebooks import (EMPTY_ANSWER, INSTALL_TEXT, TODO, StudentNotebook,
                                  figure_caption, notebook_pages)
from tools.student_markdown import ANSWER
from tools.typography import PROTECTED

ROOT = Path(__file__).resolve().parent.parent
PAGES = notebook_pages()
MAX_BYTES = 2_000_000
LINK = re.compile(r"\]\(([^)\s]+)\)|(?:href|src)=\"([^\"]+)\"")
CAPTION = re.compile(r"^\*\*Figure (\d+) —\*\* \S")
MYST = ("```{", ":::{", "{glue", "{doc}", "{eq}", "{prf:", "{cite", "{ref}", "{numref}", "{math}",
        ")=\n", "%s", "{number}", "(équation du cours)", "du cours)", "voir le cours en ligne")


def _notebook(page: Path):
    return nbformat.read(page.with_suffix(".ipynb"), as_version=4)


def _markdown(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


def _index() -> dict:
    return json.loads((ROOT / "results" / "site-index.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_no_myst_syntax_and_no_placeholder(page):
    """Jupyter n'interprète pas MyST ; un « … » serait une valeur ou un renvoi perdu."""
    for cell in _notebook(page).cells:
        if cell.cell_type == "markdown":
            left = [m for m in MYST if m in cell.source + "\n"]
            assert not left, f"{page.stem} : {left} dans {cell.source[:300]!r}"
        assert "…" not in cell.source, f"{page.stem} : « … » dans {cell.source[:300]!r}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_french_typography_outside_code_and_math(page):
    for text in _markdown(_notebook(page)):
        prose = PROTECTED.sub("X", text)
        wrong = re.findall(r".{0,30}(?: [:;!?]|« | »).{0,10}", prose)
        assert not wrong, f"{page.stem} : espace ordinaire avant une ponctuation double : {wrong[:3]}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_link_is_absolute_and_course_links_reach_a_real_anchor(page):
    index, site = _index(), site_url()
    anchors = {(t["page"], t["anchor"]) for t in index["labels"].values()}
    anchors |= {(c["page"], c["anchor"]) for c in index["citations"].values()}
    anchors |= {(entry["page"], entry["anchor"]) for entry in index["api"].values()}
    for text in _markdown(_notebook(page)):
        for match in LINK.finditer(text):
            url = match.group(1) or match.group(2)
            if url.startswith("attachment:"):
                continue
            assert url.startswith("https://"), f"{page.stem} : lien relatif {url}"
            if not url.startswith(site):
                continue
            target, _, anchor = url.removeprefix(site).partition("#")
            if not target:  # la page d'accueil du site
                continue
            assert target.removesuffix(".html") in index["pages"], f"{page.stem} : page {url}"
            if anchor:
                assert (target.removesuffix(".html"), anchor) in anchors, f"{page.stem} : {url}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_references_of_the_page_become_site_links(page):
    """Autant de liens vers le site que de renvois et de citations dans le texte conservé."""
    notebook = _notebook(page)
    links = sum(len(re.findall(re.escape(site_url()), text)) for text in _markdown(notebook))
    assert links >= 1
    if "{eq}`" in page.read_text(encoding="utf-8"):
        assert "#equation-" in "\n".join(_markdown(notebook))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_figure_cell_is_followed_by_its_numbered_caption(page):
    cells, index = _notebook(page).cells, _index()["labels"]
    figures = {cell.source: figure_caption(cell) for cell in jupytext.read(page).cells
               if cell.cell_type == "code" and figure_caption(cell)}
    numbers = []
    for position, cell in enumerate(cells):
        if cell.cell_type == "code" and cell.source in figures:
            label, _ = figures[cell.source]
            caption = cells[position + 1]
            assert caption.cell_type == "markdown" and CAPTION.match(caption.source), \
                f"{page.stem} : pas de légende sous la figure {label}"
            assert int(CAPTION.match(caption.source).group(1)) == index[label]["number"]
            numbers.append(index[label]["number"])
    assert numbers == sorted(numbers)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_exercise_is_followed_by_an_answer_cell(page):
    cells = _notebook(page).cells
    starts = [i for i, cell in enumerate(cells)
              if cell.cell_type == "markdown" and re.search(r"^\*\*Exercice \d+", cell.source, re.M)]
    assert len(starts) == page.read_text(encoding="utf-8").count("{exercise}")
    for first, last in zip(starts, starts[1:] + [len(cells)]):
        answers = [c for c in cells[first + 1:last]
                   if (c.cell_type == "code" and (TODO in c.source or c.source == EMPTY_ANSWER))
                   or (c.cell_type == "markdown" and c.source == ANSWER)]
        assert answers, f"{page.stem} : pas de cellule de réponse après {cells[first].source[:80]!r}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_notebook_opens_with_its_note_then_installs_helpers_before_any_code(page):
    notebook = _notebook(page)
    assert notebook.metadata["colab"]["name"] == page.with_suffix(".ipynb").name
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    first = notebook.cells[0].source
    assert first.startswith("# ") and f"{site_url()}chapters/{page.stem}.html" in first
    assert "valeurs de référence" in first
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    install = notebook.cells[code[0]]
    assert f'%pip install --quiet "{install_requirement()}"' in install.source
    assert notebook.cells[code[0] - 1].source == INSTALL_TEXT
    assert sum("%pip install" in notebook.cells[i].source for i in code) == 1
    if page.stem.startswith("tp"):  # installer, puis le quiz avec le texte qui le présente
        assert notebook.cells[code[0] + 1].source.startswith("## Avant de commencer")
        assert "show_quiz" in notebook.cells[code[1]].source


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_notebook_is_small(page):
    assert page.with_suffix(".ipynb").stat().st_size < MAX_BYTES


def _install_cell() -> str:
    notebook = _notebook(PAGES[0])
    return next(cell.source for cell in notebook.cells if "%pip install" in cell.source)


@pytest.mark.parametrize("installed", [False, True])
def test_install_cell_on_colab_installs_then_explains_a_failure_in_french(monkeypatch, installed):
    calls = []
    shell = types.SimpleNamespace(run_line_magic=lambda name, line: calls.append((name, line)))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setitem(sys.modules, "helpers", types.ModuleType("helpers") if installed else None)
    code = TransformerManager().transform_cell(_install_cell())
    namespace = {"get_ipython": lambda: shell}
    if installed:
        exec(code, namespace)  # noqa: S102
    else:
        with pytest.raises(RuntimeError, match="Le paquet helpers du cours n'est pas installé"):
            exec(code, namespace)  # noqa: S102
    assert calls == [("pip", f'install --quiet "{install_requirement()}"')]


def test_install_cell_does_nothing_outside_colab(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    shell = types.SimpleNamespace(run_line_magic=pytest.fail)
    exec(TransformerManager().transform_cell(_install_cell()), {"get_ipython": lambda: shell})  # noqa: S102


# Le générateur, sur de petites pages ------------------------------------------------------------

INDEX = {
    "pages": {"chapters/essai": "Essai", "chapters/01_principes": "Principes"},
    "labels": {
        "eq-a": {"kind": "equation", "page": "chapters/01_principes", "anchor": "equation-eq-a",
                 "number": 7},
        "thm-a": {"kind": "theorem", "page": "chapters/01_principes", "anchor": "thm-a",
                  "number": 2},
        "ex-mean": {"kind": "exercise", "page": "chapters/essai", "anchor": "ex-mean", "number": 1},
        "ex-words": {"kind": "exercise", "page": "chapters/essai", "anchor": "ex-words",
                     "number": 2},
        "fig-a": {"kind": "figure", "page": "chapters/essai", "anchor": "fig-a", "number": 1},
        "fig-b": {"kind": "figure", "page": "chapters/essai", "anchor": "fig-b", "number": 2},
        "sec-a": {"kind": "section", "page": "chapters/01_principes", "anchor": "sec-a",
                  "title": "Une section"},
    },
    "citations": {"hinton2006": {"page": "bibliographie", "anchor": "cite-hinton2006"}},
    "api": {"helpers.train.fit": {"kind": "function", "page": "bibliotheque",
                                  "anchor": "helpers.train.fit"},
            "helpers.models.VAE": {"kind": "class", "page": "bibliotheque",
                                   "anchor": "helpers.models.VAE"},
            "helpers.config": {"kind": "module", "page": "bibliotheque",
                               "anchor": "module-helpers.config"}},
}
HEADER = (ROOT / "chapters" / "tp1_premier_autoencodeur.md").read_text(encoding="utf-8").split(
    "\n---\n", 1)[0] + "\n---\n"


def _build(tmp_path, body: str, glued=None, expected=None):
    page = tmp_path / "essai.md"
    page.write_text(HEADER + body, encoding="utf-8")
    data = CourseData("essai")
    data.index, data.glued = INDEX, glued or {}
    if expected is not None:
        data.expected = expected
    return StudentNotebook(page, data).build()


def _sources(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells]


def test_generator_turns_references_into_site_links(tmp_path):
    site = site_url()
    notebook = _build(tmp_path, "# Essai\n\nVoir {eq}`eq-a`, {prf:ref}`thm-a`, "
                      "{prf:ref}`ce théorème <thm-a>`, {numref}`exercice %s <ex-mean>`, "
                      "{ref}`sec-a`, {doc}`le chapitre <01_principes>`, {cite:t}`hinton2006` et "
                      "{cite:p}`hinton2006` ; valeur {glue:md}`x`.\n\n```{code-cell} ipython3\n1\n```\n",
                      glued={"x": "0,25"})
    text = notebook.cells[0].source
    assert f"[(7)]({site}chapters/01_principes.html#equation-eq-a)" in text
    assert f"[Théorème 2]({site}chapters/01_principes.html#thm-a)" in text
    assert f"[ce théorème]({site}chapters/01_principes.html#thm-a)" in text
    assert f"[exercice 1]({site}chapters/essai.html#ex-mean)" in text
    assert f"[Une section]({site}chapters/01_principes.html#sec-a)" in text
    assert f"[le chapitre]({site}chapters/01_principes.html)" in text
    assert f"Hinton et Salakhutdinov ([2006]({site}bibliographie.html#cite-hinton2006))" in text
    assert f"([Hinton et Salakhutdinov, 2006]({site}bibliographie.html#cite-hinton2006))" in text
    assert "valeur **0,25**." in text


def test_generator_links_helpers_tools_to_the_library_page(tmp_path):
    site = site_url()
    notebook = _build(tmp_path, "# Essai\n\nOutils : {py:func}`~helpers.train.fit`, "
                      "{py:class}`~helpers.models.VAE`, {py:mod}`helpers.config`, "
                      "{py:func}`entraîner <helpers.train.fit>`.\n\n```{code-cell} ipython3\n1\n```\n")
    text = notebook.cells[0].source
    assert f"[`fit()`]({site}bibliotheque.html#helpers.train.fit)" in text
    assert f"[`VAE`]({site}bibliotheque.html#helpers.models.VAE)" in text
    assert f"[`helpers.config`]({site}bibliotheque.html#module-helpers.config)" in text
    assert f"[`entraîner`]({site}bibliotheque.html#helpers.train.fit)" in text
    with pytest.raises(MissingData, match="helpers.train.fot"):
        _build(tmp_path, "# Essai\n\n{py:func}`~helpers.train.fot`\n")


def test_generator_numbers_statements_equations_and_captions_as_the_site(tmp_path):
    notebook = _build(tmp_path, (
        "# Essai\n\n```{prf:theorem} Titre\n:label: thm-a\nÉnoncé.\n```\n\n$$\nx = 1\n$$ (eq-a)\n\n"
        ":::{admonition} Indice\n:class: dropdown\nPensez-y.\n:::\n\n"
        "```{prf:proof}\n:class: dropdown\nCar.\n```\n\n"
        "```{figure} ../images/vae.svg\n:name: fig-a\n:alt: Un schéma\n\nLégende $x$.\n```\n\n"
        "```{code-cell} ipython3\n---\nmystnb:\n  figure:\n    name: fig-b\n    caption: Courbe.\n---\n"
        "plot()\n```\n"))
    text, cells = notebook.cells[0].source, notebook.cells
    assert "**Théorème 2 (Titre).**\n\nÉnoncé." in text
    assert "$$\nx = 1 \\tag{7}\n$$" in text
    assert "<details><summary>Indice</summary>\n\nPensez-y.\n\n</details>" in text
    assert "<details><summary>Démonstration</summary>\n\nCar.\n\n</details>" in text
    assert "![Un schéma](attachment:vae.svg)\n\n**Figure 1 —** Légende $x$." in text
    assert "vae.svg" in cells[0].attachments
    plot = next(i for i, c in enumerate(cells) if c.source == "plot()")
    assert cells[plot + 1].source == "**Figure 2 —** Courbe."
    assert "mystnb" not in cells[plot].metadata


def test_generator_keeps_notebook_text_and_drops_site_text(tmp_path):
    notebook = _build(tmp_path, "# Essai\n\n```{only} html\nSur le site.\n```\n\n"
                      "```{only} notebook\nDans le notebook.\n```\n\n```{code-cell} ipython3\n1\n```\n")
    text = notebook.cells[0].source
    assert "Dans le notebook." in text and "Sur le site." not in text


SOLUTION_PAGE = '''# Essai

```{exercise} Une moyenne
:label: ex-mean
Écrivez `mean(x)` et commentez.
```

```{solution-start} ex-mean
:class: dropdown
```
On somme puis on divise.

```{code-cell} ipython3
def mean(x):
    """Moyenne de x."""
    return sum(x) / len(x)


print(mean([1, 2]))
```

```{solution-end}
```

```{code-cell} ipython3
check_mean(mean)
```

```{exercise} En mots
:label: ex-words
Pourquoi ?
```

```{solution} ex-words
:class: dropdown
Parce que.
```
'''


def test_generator_turns_solutions_into_stubs_and_answer_cells(tmp_path):
    image = tmp_path / "ex-mean-00-00.png"
    image.write_bytes(b"\x89PNG fictif")
    notebook = _build(tmp_path, SOLUTION_PAGE, expected=lambda label: [image] * (label == "ex-mean"))
    sources = _sources(notebook)
    joined = "\n".join(sources)
    assert "On somme" not in joined and "Parce que" not in joined and "sum(x)" not in joined
    stub = sources.index(f'def mean(x):\n    """Moyenne de x."""\n    {TODO}')
    assert sources[stub + 1] == EMPTY_ANSWER  # le print de la solution : une cellule libre
    assert sources[stub + 2] == ANSWER  # le texte de la solution : une réponse rédigée
    assert sources[stub + 3].startswith("<details><summary>Résultat attendu")
    assert "attachment:ex-mean-00-00.png" in sources[stub + 3]
    assert sources[stub + 4] == "check_mean(mean)"
    assert sources[-1] == ANSWER  # la solution {solution} : une réponse rédigée


def test_generator_refuses_what_it_cannot_show(tmp_path):
    with pytest.raises(MissingData, match="inconnue"):
        _build(tmp_path, "# Essai\n\nVoir {eq}`eq-inconnue`.\n\n```{code-cell} ipython3\n1\n```\n")
    with pytest.raises(MissingData, match="glued"):
        _build(tmp_path, "# Essai\n\n{glue:md}`absente`\n\n```{code-cell} ipython3\n1\n```\n")
    with pytest.raises(MissingData, match="non prise en charge"):
        _build(tmp_path, "# Essai\n\n```{mermaid}\nA\n```\n\n```{code-cell} ipython3\n1\n```\n")
    with pytest.raises(ValueError, match="docstring"):
        _build(tmp_path, SOLUTION_PAGE.replace('    """Moyenne de x."""\n', ""))
