"""Typographie française du site et des notebooks étudiants (``tools/typography.py``)."""

import json

from tools.typography import NBSP, NNBSP, fix_json, french_spacing, french_spacing_markdown


def test_spaces_before_double_punctuation_and_inside_guillemets():
    assert french_spacing("Objectifs : lire ; écrire ! Pourquoi ? « oui »") == (
        f"Objectifs{NBSP}: lire{NNBSP}; écrire{NNBSP}! Pourquoi{NNBSP}? «{NNBSP}oui{NNBSP}»")


def test_line_breaks_and_repeated_spaces_become_one_non_breaking_space():
    assert french_spacing("mot\n: suite  ;") == f"mot{NBSP}: suite{NNBSP};"


def test_text_without_space_is_left_alone():
    for text in ("http://exemple.org/?a=1", "12:30", "«oui»", "a;b"):
        assert french_spacing(text) == text


def test_is_idempotent():
    once = french_spacing("a : b ; « c » ?")
    assert french_spacing(once) == once


def test_markdown_code_math_tags_and_link_targets_are_untouched():
    markdown = ("Voir `f(a : b) ; x` et $x : y ; z$ puis $$\na : b\n$$ <a title=\"t : u\"> "
                "[le lien](https://exemple.org/?q=a : b) : fin ?")
    assert french_spacing_markdown(markdown) == (
        "Voir `f(a : b) ; x` et $x : y ; z$ puis $$\na : b\n$$ <a title=\"t : u\"> "
        f"[le lien](https://exemple.org/?q=a : b){NBSP}: fin{NNBSP}?")


def test_fix_json_spaces_every_string_and_reports_a_change(tmp_path):
    path = tmp_path / "quiz.json"
    path.write_text('[{"question": "Vrai ?", "answers": [{"feedback": "Non : « x » `a : b`"}], '
                    '"precision": 4}]', encoding="utf-8")
    assert fix_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data[0]["question"] == "Vrai\u202f?" and data[0]["precision"] == 4
    assert data[0]["answers"][0]["feedback"] == "Non\u00a0: «\u202fx\u202f» `a : b`"
    assert not fix_json(path)
