"""Typographie française du site construit : dans le texte des pages (hors code, formules et
sorties de cellules), aucune espace ordinaire avant « : ; ! ? » ni à l'intérieur des guillemets."""

import re
from html.parser import HTMLParser

import pytest

from sitepages import toc_pages

SKIPPED_TAGS = {"pre", "code", "script", "style", "kbd", "samp", "svg"}
SKIPPED_CLASSES = ("math", "cell_output", "highlight", "headerlink")
WRONG = re.compile(r".{0,30}(?:[ \t\n][:;!?](?=\s|$)|«[ \t\n]|[ \t\n]»).{0,10}")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class ProseText(HTMLParser):
    """Le texte de l'article principal d'une page, sans code, formules ni sorties de cellules."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.inside, self.text = [], False, []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = dict(attrs).get("class") or ""
        skipped = tag in SKIPPED_TAGS or any(c in classes for c in SKIPPED_CLASSES)
        self.inside = self.inside or (tag == "article")
        self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        while self.stack:
            opened, _ = self.stack.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        if self.inside and not any(skipped for _, skipped in self.stack):
            self.text.append(data)


@pytest.mark.parametrize("page", toc_pages())
def test_french_spaces_in_prose(site_dir, page):
    parser = ProseText()
    parser.feed((site_dir / f"{page}.html").read_text(encoding="utf-8"))
    prose = "".join(parser.text)
    assert len(prose) > 200, f"{page} : texte de la page introuvable"
    wrong = WRONG.findall(prose)
    assert not wrong, f"{page} : espace ordinaire avant une ponctuation double : {wrong[:5]}"
