"""Extension Sphinx locale : corrige quelques libellés français des extensions.

sphinx-exercise traduit « Solution to » par « Solution de », ce qui donne « Solution de Exercice 3 ».
On intercale devant son catalogue de traductions une table de remplacements.
"""

import gettext

from sphinx import locale

OVERRIDES = {"exercise": {"Solution to": "Solution :"}}


class _Overrides(gettext.NullTranslations):
    def __init__(self, table):
        super().__init__()
        self._table = table

    def gettext(self, message):
        return self._table.get(message) or super().gettext(message)


def setup(app):
    for catalog, table in OVERRIDES.items():
        key = ("general", catalog)
        override = _Overrides(table)
        existing = locale.translators.get(key)
        if existing is not None and existing.__class__ is not gettext.NullTranslations:
            override.add_fallback(existing)
        locale.translators[key] = override
    return {"parallel_read_safe": True, "parallel_write_safe": True}
