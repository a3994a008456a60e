"""Un dossier servi sur localhost et une page de navigateur qui ne sort pas de la machine : le
site construit (``conftest.py``) comme les notebooks étudiants rendus en HTML
(``test_notebook_math.py``) sont visités ainsi, hors ligne."""

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (signature imposée)
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Sert ``folder`` sur localhost le temps du bloc ; donne l'adresse de sa racine."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def keep_local(page, blocked: list[str]) -> None:
    """Bloque toute requête de ``page`` vers une autre machine que localhost et la note dans
    ``blocked``."""
    def only_localhost(route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_localhost)


def open_and_typeset(page, url: str) -> None:
    """Charge ``url`` dans l'onglet ``page`` et attend que MathJax ait rendu les formules."""
    page.goto(url, wait_until="load")
    page.evaluate("""async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
            await MathJax.startup.promise;
        }
    }""")
