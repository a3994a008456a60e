"""Nombres à la française pour la prose, et valeur brute conservée pour results/reference.json."""

from IPython.core.formatters import format_display_data

from helpers.report import _Glued, fr, sci


def test_french_numbers():
    assert fr(-1234.5, 1) == "\u22121\u202f234,5"
    assert sci(3.2e-13) == "3,2\u202f×\u202f10⁻¹³"
    assert sci(0.1449, 2) == "0,145"


def test_glued_value_shows_french_text_and_keeps_the_raw_value():
    data, _ = format_display_data(_Glued(fr(0.026861, 4), 0.026861))
    assert data["text/markdown"] == "0,0269"
    assert float(data["text/plain"]) == 0.026861
    assert format_display_data(_Glued("complet", "complet"))[0]["text/plain"] == "'complet'"
