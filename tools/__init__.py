"""Outils de construction du cours (notebooks étudiants, résultats de référence, mesures), lancés
depuis la racine du dépôt par ``python -m tools.<module>`` ; les notebooks ne les importent pas."""
