"""Extension Sphinx locale du cours.

1. Corrige des libellés français : sphinx-exercise traduit « Solution to » par « Solution de », ce
   qui donne « Solution de Exercice 3 ». On intercale devant son catalogue une table de
   remplacements. Le style de citation ``author_year_fr`` et le style de bibliographie
   ``alpha_fr`` écrivent « Hinton et Salakhutdinov » plutôt que « Hinton and Salakhutdinov ».
2. Version « énoncés » (variable d'environnement ``AE_ENONCES=1``, voir ``make book-enonces``) :
   retire toutes les solutions du site. L'option ``hide_solutions`` de sphinx-exercise ne suffit
   pas : elle masque les solutions ``{solution}`` mais laisse le contenu des solutions
   ``{solution-start}`` … ``{solution-end}``. On supprime donc les nœuds de solution après leur
   fusion par sphinx-exercise. Cette version réutilise le cache d'exécution désigné par
   ``AE_EXECUTION_CACHE`` (celui du site complet) : ses notebooks ne sont pas ré-exécutés.
3. Bouton Colab : le thème l'affiche sur toute page exécutable. On le retire des pages qui n'ont
   pas de notebook étudiant ``<page>.ipynb`` dans le dépôt (la page « Résultats de référence ») :
   il ouvrirait un fichier inexistant.
4. Scripts en double : Sphinx 7.4 insère deux fois les scripts en ligne des extensions (une fois
   avec le nom de fichier ``None``, une fois avec ``""``), et la seconde déclaration
   ``const THEBE_JS_URL`` de sphinx-thebe est une erreur JavaScript. On n'en garde qu'un.
5. Exercices et figures numérotés page par page (Exercice 1, 2… et Fig. 1, 2… dans chaque
   chapitre et chaque TP), comme dans les notebooks étudiants, et non à la suite dans tout le
   livre. Les énoncés et les équations, auxquels les chapitres renvoient d'une page à l'autre,
   gardent une numérotation continue.
6. Typographie française : espace insécable avant « : », espace fine insécable avant « ; ! ? »
   et à l'intérieur des guillemets, dans tout le texte des pages (valeurs calculées comprises),
   jamais dans le code ni dans les formules (voir ``typography.py``, que le générateur des
   notebooks étudiants applique aussi).
7. Démonstrations : « Démonstration. » plutôt que le « Proof. » que sphinx-proof écrit en anglais.
8. Index des cibles : à la fin de la construction HTML, ``<sortie>/course-index.json`` donne, pour
   chaque étiquette du livre (équation, énoncé, exercice, figure, section) et chaque citation, sa
   page, son ancre et son numéro tels que le site les affiche. Le générateur des notebooks
   étudiants en fait des liens vers le site (copie versionnée : ``results/site-index.json``).
"""

import gettext
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pybtex.plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.template import names, sentence
from docutils import nodes
from sphinx import locale
from sphinx.transforms import SphinxTransform
from sphinx_exercise.nodes import solution_node
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from helpers.environment import flag
from typography import french_spacing

OVERRIDES = {"exercise": {"Solution to": "Solution :"}}


class _Overrides(gettext.NullTranslations):
    def __init__(self, table):
        super().__init__()
        self._table = table

    def gettext(self, message):
        return self._table.get(message) or super().gettext(message)


def _french_persons() -> PersonStyle:
    return PersonStyle(sep2=" et ", last_sep=" et ")


@dataclass
class FrenchAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """Citations auteur-année avec « et » entre les deux derniers auteurs."""

    person: PersonStyle = field(default_factory=_french_persons)


class FrenchAlphaStyle(AlphaStyle):
    """Style de bibliographie ``alpha`` avec « et » entre les deux derniers auteurs."""

    def format_names(self, role, as_sentence=True):
        formatted = names(role, sep=", ", sep2=" et ", last_sep=" et ")
        return sentence[formatted] if as_sentence else formatted


class RemoveSolutions(SphinxTransform):
    """Supprime toutes les solutions (après la fusion des solutions « gated », priorité 10)."""

    default_priority = 20

    def apply(self):
        if not self.config.course_hide_solutions:
            return
        for node in list(self.document.findall(solution_node)):
            node.parent.remove(node)


class FrenchProofs(SphinxTransform):
    """sphinx-proof commence chaque démonstration par le mot anglais « Proof. », sans le traduire :
    on le remplace par « Démonstration. », en gras, comme dans les notebooks étudiants."""

    default_priority = 20
    ENGLISH = "Proof. "

    def apply(self):
        for admonition in self.document.findall(nodes.admonition):
            if "proof" not in admonition["classes"] or not admonition.children:
                continue
            paragraph = admonition.children[0]
            first = paragraph.children[0] if isinstance(paragraph, nodes.paragraph) else None
            if isinstance(first, nodes.Text) and str(first).startswith(self.ENGLISH):
                rest = str(first)[len(self.ENGLISH):]
                paragraph.replace(first, nodes.strong(text="Démonstration."))
                paragraph.insert(1, nodes.Text(" " + rest))


def _share_execution_cache(app, config):
    if os.environ.get("AE_EXECUTION_CACHE"):
        config.nb_execution_cache_path = os.environ["AE_EXECUTION_CACHE"]


def _drop_launch_button_without_notebook(app, pagename, templatename, context, doctree):
    """Retire le bouton de lancement (Colab) si ``<page>.ipynb`` n'existe pas dans le dépôt."""
    if Path(app.srcdir, pagename).with_suffix(".ipynb").exists():
        return
    buttons = context.get("header_buttons")
    if buttons:
        buttons[:] = [b for b in buttons if b.get("label") != "launch-buttons"]


def _errata_button(app, pagename, templatename, context, doctree):
    """Le bouton « ouvrir une issue » du thème ouvre le formulaire d'erratum
    (``.github/ISSUE_TEMPLATE/errata.yml``), en français, son champ « Page » déjà rempli."""
    page = app.config.html_baseurl.rstrip("/") + f"/{pagename}.html"

    def rewrite(buttons):
        for button in buttons:
            rewrite(button.get("buttons", []))
            if button.get("label") == "source-issues-button":
                repository = button["url"].split("/issues/new", 1)[0]
                button["url"] = (f"{repository}/issues/new?"
                                 + urlencode({"template": "errata.yml", "page": page}))
                button["text"] = button["tooltip"] = "Signaler une erreur"

    rewrite(context.get("header_buttons", []))


def _bibliography_roles(app, pagename, templatename, context, doctree):
    """Les entrées de la bibliographie (docutils : ``role="doc-biblioentry"``, rôle ARIA abandonné)
    sont les éléments de leur liste (``role="list"``) : ``role="listitem"``."""
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Ne garde qu'un exemplaire de chaque script (même fichier, mêmes attributs)."""
    unique = {}
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        unique.setdefault(key, script)
    context["script_files"] = list(unique.values())


PER_PAGE_NUMBERING = ("exercise", "figure")


def _number_per_page(app, env):
    """Renumérote de 1 à n les exercices et les figures de chaque page, dans leur ordre."""
    for numbers in env.toc_fignumbers.values():
        for kind in PER_PAGE_NUMBERING:
            items = numbers.get(kind, {})
            for rank, key in enumerate(sorted(items, key=items.get), start=1):
                items[key] = (rank,)
    return []


VERBATIM = (nodes.FixedTextElement, nodes.literal, nodes.math, nodes.raw, nodes.comment)


def french_typography(doctree) -> None:
    """Espaces de la typographie française dans chaque texte de la page, hors code et formules."""
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or any(isinstance(a, VERBATIM) for a in _ancestors(parent)):
            continue
        spaced = french_spacing(str(text))
        if spaced != str(text):
            parent.replace(text, nodes.Text(spaced))


def _french_typography(app, doctree, docname=None):
    """À la lecture (avant que Sphinx ne recopie les titres dans les tables des matières) et
    après résolution (valeurs calculées et renvois insérés depuis)."""
    french_typography(doctree)


def _ancestors(node):
    while node is not None:
        yield node
        node = node.parent


def site_index(env) -> dict:
    """Page, ancre, nature et numéro de chaque étiquette du livre, titre de chaque page, ancre de
    chaque entrée de la bibliographie et de chaque objet documenté de ``helpers``."""
    numbers = env.toc_fignumbers
    labels = {}
    for label, (docname, anchor, title) in env.domaindata["std"]["labels"].items():
        if docname not in env.all_docs or not anchor:
            continue
        figures = numbers.get(docname, {}).get("figure", {})
        exercises = numbers.get(docname, {}).get("exercise", {})
        if anchor in figures:
            labels[label] = {"kind": "figure", "number": figures[anchor][0]}
        elif anchor in exercises:
            labels[label] = {"kind": "exercise", "number": exercises[anchor][0]}
        else:
            labels[label] = {"kind": "section", "title": title}
        labels[label].update(page=docname, anchor=anchor)
    for label, proof in env.proof_list.items():
        number = numbers.get(proof["docname"], {}).get(proof["countertype"], {}).get(label)
        if number:  # les démonstrations ne sont pas numérotées
            labels[label] = {"kind": proof["realtype"], "page": proof["docname"], "anchor": label,
                             "number": number[0]}
    for label, (docname, _) in env.domaindata["math"]["objects"].items():
        anchor = f"equation-{label}"
        labels[label] = {"kind": "equation", "page": docname, "anchor": anchor,
                         "number": numbers[docname]["displaymath"][anchor][0]}
    citations = {c.key: {"page": c.bibliography_key.docname, "anchor": c.citation_id}
                 for c in env.domaindata["cite"]["citations"]}
    titles = {docname: env.titles[docname].astext() for docname in sorted(env.all_docs)}
    python = env.domaindata["py"]
    api = {name: {"kind": entry.objtype, "page": entry.docname, "anchor": entry.node_id}
           for name, entry in python["objects"].items()
           if name.startswith("helpers") and not entry.aliased}
    api |= {name: {"kind": "module", "page": entry.docname, "anchor": entry.node_id}
            for name, entry in python["modules"].items() if name.startswith("helpers")}
    return {"pages": titles, "labels": dict(sorted(labels.items())),
            "citations": dict(sorted(citations.items())), "api": dict(sorted(api.items()))}


def _write_site_index(app, exception):
    if exception is None and app.builder.format == "html":
        path = Path(app.outdir, "course-index.json")
        path.write_text(json.dumps(site_index(app.env), indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")


def setup(app):
    for catalog, table in OVERRIDES.items():
        key = ("general", catalog)
        override = _Overrides(table)
        existing = locale.translators.get(key)
        if existing is not None and existing.__class__ is not gettext.NullTranslations:
            override.add_fallback(existing)
        locale.translators[key] = override
    register_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_fr",
                     FrenchAuthorYearReferenceStyle)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "alpha_fr", FrenchAlphaStyle)
    app.add_config_value("course_hide_solutions", flag("AE_ENONCES"), "env")
    app.add_config_value("course_release", "", "env")  # lu par tools/course_data.py
    app.add_transform(RemoveSolutions)
    app.add_transform(FrenchProofs)
    app.connect("config-inited", _share_execution_cache)
    # Après sphinx-book-theme, qui ajoute ses boutons avec la priorité 501.
    app.connect("html-page-context", _drop_launch_button_without_notebook, priority=502)
    app.connect("html-page-context", _errata_button, priority=502)
    app.connect("html-page-context", _drop_duplicate_scripts)
    app.connect("html-page-context", _bibliography_roles)
    # Après la numérotation globale des figures par Sphinx (priorité 500).
    app.connect("env-get-updated", _number_per_page, priority=900)
    app.connect("doctree-read", _french_typography, priority=100)  # avant les collecteurs
    app.connect("doctree-resolved", _french_typography)
    app.connect("build-finished", _write_site_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
