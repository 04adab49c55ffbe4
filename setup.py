"""Which packages install: the engine `extract`, the top-level folders `schemas/`, `prompts/`
and `evals/` installed inside it (so `pip install .` carries them), and every sub-package found
in those folders, so that adding a schema package needs no change here."""

from setuptools import find_packages, setup

FOLDERS = {"extract": "extract", "extract.schemas": "schemas", "extract.prompts": "prompts", "extract.evals": "evals"}

packages = [sub for name, folder in FOLDERS.items() for sub in [name, *(f"{name}.{p}" for p in find_packages(folder))]]
setup(packages=packages, package_dir=FOLDERS)
