"""Import-like writes from the pages — an upload on «Данные», undoing an import, a roadmap saved
from a document, road distances. In the served mode they run on the importer's master file and
publish a new data version (:mod:`analytics.served.master`); when another process is loading
data, the user reads so in words and nothing changes."""
from __future__ import annotations

import contextlib
from typing import Iterator

from analytics.served.master import writing
from analytics.store import Store
from analytics.store_errors import StorageUnavailable
from ui import errors
from ui.cache import clear_caches, store


class WriteRefused(Exception):
    """The write did not happen; ``message`` says why in the user's language (already logged)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@contextlib.contextmanager
def import_target(user: str | None = None) -> Iterator[Store]:
    """The store to run an import on (see the module's doc); the page caches are dropped after
    it stored something. A storage refusal (master held, PostgreSQL down) becomes
    :class:`WriteRefused` with the catalogue's words."""
    from ui.text import t
    try:
        with writing(store(), user) as target:
            yield target
    except StorageUnavailable as error:
        raise WriteRefused(t(errors.message_key(error), incident=errors.incident(error))) from error
    clear_caches()
