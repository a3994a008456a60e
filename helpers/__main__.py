"""``python -m helpers`` : l'empreinte du code source de tout le paquet (le Makefile s'en sert pour
vider le cache d'exécution des pages quand ``helpers`` change)."""

from . import source_hash

print(source_hash())
