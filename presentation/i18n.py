"""The UI text catalogue: ``presentation/locales/<lang>/<area>.toml`` merged into one dictionary.

Keys are ``<area>.<key>``; a key must exist in every language (a test checks it).
Values may contain ``{name}`` placeholders filled by :func:`text`.
"""
from __future__ import annotations

import functools
import tomllib
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"


def _flatten(prefix: str, table: dict, into: dict) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(full, value, into)
        else:
            into[full] = value


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    merged: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.toml")):
        _flatten(path.stem, tomllib.loads(path.read_text(encoding="utf-8")), merged)
    return merged


def text(language: str, key: str, **values) -> str:
    """The text for ``key``; a missing key shows itself rather than crashing a meeting."""
    template = catalogue(language).get(key)
    if template is None:
        template = catalogue(DEFAULT_LANGUAGE).get(key, key)
    return template.format(**values) if values else template
