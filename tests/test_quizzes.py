"""Les quiz d'auto-évaluation : un par page, au format de jupyterquiz, chaque mauvaise réponse
expliquée, chaque réponse numérique acceptée avec une tolérance et les erreurs voisines refusées,
affichés en français."""

import json
import math
import re
from pathlib import Path

import pytest

from helpers import quiz
from tools.make_notebooks import notebook_pages
from tools.typography import fix_json

ROOT = Path(__file__).resolve().parent.parent
QUIZ_DIR = ROOT / "helpers" / "quizzes"
PAGES = sorted(p for p in (ROOT / "chapters").glob("*.md") if p.stem[0].isdigit() or p.stem.startswith("tp"))
QUIZZES = sorted(QUIZ_DIR.glob("*.json"))


def _load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _numeric_verdict(question: dict, typed: float) -> bool | None:
    """Ce que décide le JavaScript de jupyterquiz (numeric.js) pour une réponse tapée : arrondi à
    ``precision`` chiffres significatifs, puis premier intervalle [bas, haut[ qui la contient.
    None : aucun intervalle, c'est l'explication par défaut qui s'affiche (réponse refusée)."""
    precision = question.get("precision", 0)
    value = float(f"{typed:.{precision - 1}e}") if precision > 0 and typed != 0 else typed
    for answer in question["answers"]:
        if "range" in answer and answer["range"][0] <= value < answer["range"][1]:
            return answer["correct"]
    return None


def test_every_chapter_and_tp_has_its_quiz_shown_once():
    assert [p.stem for p in PAGES] == [p.stem for p in QUIZZES] == quiz.available()
    for page in PAGES:
        source = page.read_text(encoding="utf-8")
        assert source.count(f'show_quiz("{page.stem}")') == 1, page.name


def test_quiz_pages_are_notebook_pages():
    assert set(PAGES) <= set(notebook_pages())


@pytest.mark.parametrize("path", QUIZZES, ids=lambda p: p.stem)
def test_quiz_schema(path):
    questions = _load(path)
    low, high = (3, 5) if path.stem.startswith("tp") else (6, 10)
    assert low <= len(questions) <= high
    for question in questions:
        assert set(question) <= {"question", "type", "answers", "precision"}
        text = question["question"]
        assert text.strip() and "$" not in text, text
        for answer in question["answers"]:
            assert answer.get("feedback", "").strip(), (text, answer)
            assert "$" not in answer["feedback"] + str(answer.get("answer", ""))
        if question["type"] == "multiple_choice":
            answers = question["answers"]
            assert 3 <= len(answers) <= 5, text
            assert [a["correct"] for a in answers].count(True) == 1, text
            for answer in answers:
                opening = ("Oui", "Exact") if answer["correct"] else ("Non",)
                assert answer["feedback"].startswith(opening), (text, answer)
                assert answer["answer"].strip()
            assert len({a["answer"] for a in answers}) == len(answers), text
        else:
            assert question["type"] == "numeric", text
            assert "point décimal" in text, text
            *ranges, default = question["answers"]
            assert default == {"type": "default", "feedback": default["feedback"]}, text
            assert all(a.get("type") == "range" and a["range"][0] < a["range"][1] for a in ranges)
            assert any(a["correct"] for a in ranges), text


@pytest.mark.parametrize("path", QUIZZES, ids=lambda p: p.stem)
def test_numeric_answers_accept_the_value_and_refuse_its_neighbours(path):
    """Le milieu de l'intervalle juste est accepté ; une valeur entière voisine (±1) ou décalée de
    plus de 5 % ne l'est pas : la tolérance n'avale pas les erreurs (ni l'arrondi de precision)."""
    for question in (q for q in _load(path) if q["type"] == "numeric"):
        for answer in (a for a in question["answers"] if a.get("correct")):
            low, high = answer["range"]
            middle = (low + high) / 2
            assert _numeric_verdict(question, middle) is True, question["question"]
            neighbours = ([middle * 1.05 + 1e-9, middle * 0.95 - 1e-9] if middle
                          else [high + (high - low), low - (high - low)])
            if math.isclose(middle, round(middle)) and abs(middle) >= 1:
                neighbours += [round(middle) + 1, round(middle) - 1]
            for wrong in neighbours:
                assert _numeric_verdict(question, wrong) is not True, (question["question"], wrong)


@pytest.mark.parametrize("path", QUIZZES, ids=lambda p: p.stem)
def test_quiz_text_follows_french_typography(path, tmp_path):
    copy = tmp_path / path.name
    copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert not fix_json(copy), f"lancez « python -m tools.typography {path.relative_to(ROOT)} »"


def test_quiz_is_rendered_in_french_with_a_stable_container():
    html, script = quiz.quiz_parts("03_vae")
    assert 'id="quiz_03_vae"' in html and html.endswith("</div>")
    assert "Votre réponse" in script and "réessayez" in script
    for english in ("Type numeric answer here", "Incorrect -- try again", '"Correct!"'):
        assert english not in script
    assert json.dumps(quiz.questions("03_vae"), ensure_ascii=False)[:40] in script \
        or json.dumps(quiz.questions("03_vae"))[:40] in script


def test_numeric_answer_field_is_labelled_on_the_question_background():
    """L'étiquette « Votre réponse » désigne son champ (``for``), sur le fond de la question : axe-core
    refuse un champ sans étiquette et un texte blanc sur la page (tests/site/test_accessibility.py)."""
    html, script = quiz.quiz_parts("03_vae")
    assert 'lab.htmlFor = id + "-0"' in script and 'inp.id = id + "-0"' in script
    assert "#quiz_03_vae .InpLabel { background-color: var(--jq-numeric-bg)" in html


def test_unknown_quiz_gets_a_french_error():
    with pytest.raises(ValueError, match=re.escape("Aucun quiz nommé « 05_gan »")):
        quiz.questions("05_gan")
