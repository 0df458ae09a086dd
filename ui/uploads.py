"""File uploaders in the user's language with the real size limit.

Streamlit 1.67 draws the drop zone's button («Upload») and its limit line («200MB per file •
CSV») in English with no API to translate them. The limit itself is set per widget
(``max_upload_size``, from ``import_max_mb`` in the settings, the same number the importer
enforces); the two texts are replaced by CSS scoped to the widget's key class
(``st-key-<key>``): the original text is drawn at size 0 and the catalogue's text is drawn
in its place. The original stays in the DOM for screen readers, which read the button's
role anyway."""
from __future__ import annotations

import streamlit as st

from analytics.importer.core import DEFAULT_MAX_MB
from ui.cache import settings
from ui.text import num, t


def limit_mb() -> int:
    """The largest file any upload accepts, in MB (``import_max_mb`` in the settings)."""
    return int(float(settings().extra.get("import_max_mb", DEFAULT_MAX_MB)))


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def translation_css(key: str, types: list[str]) -> str:
    limit = t("app.upload_limit", limit=num(limit_mb()), types=", ".join(x.upper() for x in types))
    scope = f".st-key-{key} [data-testid=stFileUploaderDropzone]"
    return (f"<style class='shnor-css'>"
            f"{scope} button [data-testid=stMarkdownContainer] p {{ font-size: 0 !important; }}"
            f"{scope} button [data-testid=stMarkdownContainer] p::after {{ content: {_css_string(t('app.upload_button'))};"
            f" font-size: 1rem; }}"
            f"{scope} [data-testid=stFileUploaderDropzoneInstructions] span {{ font-size: 0 !important; }}"
            f"{scope} [data-testid=stFileUploaderDropzoneInstructions] span::after {{ content: {_css_string(limit)};"
            f" font-size: 0.875rem; }}</style>")


def file_uploader(label: str, types: list[str], key: str, container=st, **kwargs):
    """``st.file_uploader`` with Russian drop-zone texts and the settings' size limit."""
    st.markdown(translation_css(key, types), unsafe_allow_html=True)
    return container.file_uploader(label, type=types, key=key, max_upload_size=limit_mb(), **kwargs)
