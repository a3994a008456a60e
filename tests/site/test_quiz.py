"""Les quiz dans le navigateur, sur un chapitre et un TP : rien n'est expliqué avant qu'on
réponde ; une mauvaise réponse affiche son explication, la bonne un succès ; une réponse numérique
dans la tolérance est acceptée, une autre refusée ; aucune requête ne quitte la machine."""

import pytest

from helpers import quiz

PAGES = ["chapters/03_vae.html", "chapters/tp5_vae.html"]


def _feedback(question):
    feedback = question.locator(".Feedback")
    return feedback.inner_text().strip(), feedback.get_attribute("class")


def _click(question, text):
    buttons = question.locator(".MCButton")
    labels = [label.strip() for label in buttons.all_inner_texts()]
    buttons.nth(labels.index(text)).click()


def _type(question, value):
    field = question.locator("input.Input-text")
    field.fill("")
    field.press_sequentially(repr(value))
    field.press("Enter")


@pytest.mark.parametrize("path", PAGES)
def test_quiz_explains_wrong_answers_and_accepts_right_ones(visit, path):
    stem = path.removeprefix("chapters/").removesuffix(".html")
    seen = visit(path)
    root = seen.page.locator(f"#quiz_{stem}")
    root.scroll_into_view_if_needed()
    wrappers = root.locator(".Quiz")
    questions = quiz.questions(stem)
    assert wrappers.count() == len(questions)
    assert root.locator(".Feedback:visible").count() == 0
    kinds = set()
    for question, data in zip(wrappers.all(), questions):
        kinds.add(data["type"])
        if data["type"] == "multiple_choice":
            wrong = next(a for a in data["answers"] if not a["correct"])
            right = next(a for a in data["answers"] if a["correct"])
            _click(question, wrong["answer"])
            assert _feedback(question) == (wrong["feedback"], "Feedback incorrect")
            _click(question, right["answer"])
            text, classes = _feedback(question)
            assert text.startswith(right["feedback"]) and classes == "Feedback correct"
        else:
            low, high = next(a["range"] for a in data["answers"] if a.get("correct"))
            _type(question, 10 * high + 7)
            assert _feedback(question)[1] == "Feedback incorrect"
            _type(question, low + (high - low) / 4)
            assert _feedback(question)[1] == "Feedback correct"
    assert kinds == {"multiple_choice", "numeric"}
    assert seen.blocked == [] and seen.console_errors == []
