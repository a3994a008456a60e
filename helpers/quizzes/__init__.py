"""Questions des quiz d'auto-évaluation, une liste JSON par page (format de jupyterquiz)."""
