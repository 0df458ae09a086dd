"""How a page's table is laid out on a meeting screen, named by column keys (``title``, ``n``)
rather than by the translated headers, so a view builder can say it without knowing the
language; ``ui.tables.dataframe(frame, layout=...)`` translates it."""
from __future__ import annotations

from dataclasses import dataclass, field

from presentation.i18n import text


@dataclass(frozen=True)
class TableLayout:
    prefix: str                                 # headers are «<prefix>.<key>» in the catalogue
    widths: dict[str, int] = field(default_factory=dict)
    wrap: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    short: dict[str, str] = field(default_factory=dict)   # key → catalogue key of a shorter header

    def header(self, key: str, language: str) -> str:
        return text(language, f"{self.prefix}.{key}")

    def options(self, language: str) -> dict:
        """``ui.tables.dataframe`` keywords with the headers in ``language``."""
        name = lambda key: self.header(key, language)  # noqa: E731
        return dict(widths={name(k): w for k, w in self.widths.items()}, wrap=[name(k) for k in self.wrap],
                    hidden=[name(k) for k in self.hidden],
                    headers={name(k): text(language, short) for k, short in self.short.items()})

    def rename(self, frame, language: str):
        """``frame`` with its key columns renamed to their headers."""
        return frame.rename(columns={c: self.header(c, language) for c in frame.columns})
