"""Extension Sphinx locale : le cours en un seul PDF (``make pdf``, constructeur LaTeX).

1. Quiz : un quiz est une page HTML interactive (jupyterquiz), que LaTeX ne sait pas rendre. Dans
   le PDF, la cellule du quiz est remplacée par une phrase qui renvoie au quiz de la page publiée.
2. Solutions : un livre imprimé ne montre pas la solution sous l'énoncé. Dans le PDF, les
   solutions de chaque chapitre sont rangées, dans leur ordre, dans une dernière section
   « Solutions des exercices » ; leur titre renvoie à l'exercice. La version « énoncés »
   (``AE_ENONCES=1``) n'en a aucune (``tools/sphinx_course.py`` les retire).
3. Renvois vers un exercice d'une autre page : la cible LaTeX qu'ils désignent est ajoutée.
4. Énoncés (sphinx-proof) : leur type est traduit (« Théorème 1 »), comme sur le site.
5. Téléchargement : si le PDF a été construit à côté du site (``<sortie>/_build/pdf``, voir
   ``make pdf``), le site le publie (``auto-encodeurs.pdf`` à sa racine) et chaque pied de page
   y renvoie.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import exercise_enumerable_node, solution_node
from sphinx_proof import nodes as proof

PDF_NAME = "auto-encodeurs.pdf"


def _page(node) -> tuple[str, nodes.Element]:
    """(page, nœud qui contient la page) d'un nœud. Le constructeur LaTeX résout les renvois page
    par page (jupyter-book marque chaque section de sa page : ``docname``) ; dans un livre déjà
    assemblé, chaque page incluse serait un nœud ``start_of_file``."""
    docname = None
    while node.parent is not None and not isinstance(node, addnodes.start_of_file):
        docname = docname or node.get("docname")
        node = node.parent
    return node.get("docname") or docname, node


def _is_quiz(bundle) -> bool:
    """Un affichage de jupyterquiz : le seul du cours à porter du JavaScript."""
    return (bundle.get("nb_element") == "mime_bundle"
            and any(child.get("mime_type") == "application/javascript" for child in bundle.children))


def _cell(node):
    while node is not None and node.get("nb_element") != "cell_code":
        node = node.parent
    return node


class QuizForPrint(SphinxPostTransform):
    """Remplace chaque cellule de quiz par un renvoi au quiz en ligne (avant le choix, par
    myst-nb, du type de sortie à imprimer : priorité 4)."""

    builders = ("latex",)
    default_priority = 3

    def run(self, **kwargs):
        for bundle in list(self.document.findall(nodes.container)):
            cell = _cell(bundle) if _is_quiz(bundle) else None
            if cell is None or cell.parent is None:
                continue
            docname, _ = _page(cell)
            page = self.config.html_baseurl.rstrip("/") + f"/{docname}.html"
            note = nodes.paragraph()
            note += nodes.emphasis(text="Ce quiz est interactif : faites-le sur la page du cours, ")
            note += nodes.reference(page, page, refuri=page)
            note += nodes.Text(", ou dans le notebook du TP.")
            cell.replace_self(note)


class ExerciseLabels(SphinxPostTransform):
    """Cible LaTeX ``page:étiquette`` de chaque exercice, avec son numéro dans la page : un renvoi
    depuis une autre page (« exercice 2 du chapitre 1 ») la désigne ainsi, alors que
    sphinx-exercise n'écrit que ``exercise:étiquette``."""

    builders = ("latex",)
    default_priority = 25

    def run(self, **kwargs):
        for exercise in list(self.document.findall(exercise_enumerable_node)):
            docname, _ = _page(exercise)
            label = exercise.get("label")
            number = self.env.toc_fignumbers.get(docname, {}).get("exercise", {}).get(label)
            if not label or not number:
                continue
            target = (r"\phantomsection\expandafter\def\csname @currentlabel\endcsname"
                      f"{{{number[0]}}}\\label{{\\detokenize{{{docname}:{label}}}}}")
            exercise.parent.insert(exercise.parent.index(exercise),
                                   nodes.raw("", target, format="latex"))


class SolutionsAtChapterEnd(SphinxPostTransform):
    """Range les solutions de chaque page dans une dernière section de la page (après la
    résolution de leurs titres par sphinx-exercise, priorité 21). Chaque solution reste dans sa
    page : ses renvois gardent leur cible."""

    builders = ("latex",)
    default_priority = 25

    def run(self, **kwargs):
        pages: dict[str, tuple[nodes.Element, list]] = {}
        for solution in self.document.findall(solution_node):
            docname, page = _page(solution)
            pages.setdefault(docname, (page, []))[1].append(solution)
        for docname, (page, solutions) in pages.items():
            chapter = next((child for child in page.children if isinstance(child, nodes.section)),
                           None)
            if chapter is None:
                continue
            section = nodes.section(ids=[f"solutions-{docname.replace('/', '-')}"])
            section += nodes.title(text="Solutions des exercices")
            for solution in solutions:
                solution.parent.remove(solution)
                section += solution
            chapter += section


def _translated(depart):
    """Le départ LaTeX d'un énoncé de sphinx-proof écrit son type en anglais (« Theorem 1 ») : on
    traduit le mot qu'il vient d'écrire, comme le fait son départ HTML."""

    def depart_in_french(self, node):
        depart(self, node)
        title = proof.list_rindex(self.body, proof.latex_admonition_start) + 2
        english = node.get("realtype", "").title()
        self.body[title] = self.body[title].replace(english, proof._(english), 1)

    return depart_in_french


def _pdf(app) -> Path:
    return Path(app.outdir).parent / "pdf" / "_build" / "latex" / PDF_NAME


def _pdf_link(app, pagename, templatename, context, doctree):
    if _pdf(app).exists() and context.get("theme_extra_footer") is not None:
        link = context["pathto"](PDF_NAME, 1)
        solutions = ("sans solutions" if app.config.course_hide_solutions
                     else "solutions en fin de chapitre")
        context["theme_extra_footer"] += (f'<p><a href="{link}">Le cours en PDF</a> '
                                          f"(version imprimable, {solutions}).</p>")


def _publish_pdf(app, exception):
    if exception is None and app.builder.format == "html" and _pdf(app).exists():
        shutil.copy2(_pdf(app), Path(app.outdir, PDF_NAME))


def setup(app):
    for node in set(proof.NODE_TYPES.values()):
        app.add_node(node, override=True, latex=(proof.visit_enumerable_node,
                                                 _translated(proof.depart_enumerable_node)))
    app.add_node(proof.unenumerable_node, override=True,
                 latex=(proof.visit_unenumerable_node, _translated(proof.depart_unenumerable_node)))
    app.add_post_transform(QuizForPrint)
    app.add_post_transform(ExerciseLabels)
    app.add_post_transform(SolutionsAtChapterEnd)
    app.connect("html-page-context", _pdf_link)
    app.connect("build-finished", _publish_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
