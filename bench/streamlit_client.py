"""A lightweight Streamlit client for load benchmarks: one websocket per simulated user, no browser.

It speaks what the Streamlit frontend speaks on ``/_stcore/stream`` (streamlit 1.67): the
subprotocol ``streamlit``, then ``BackMsg.rerun_script`` with a ``ClientState`` (the page's URL
path as ``page_name``, the query string, widget states) for every page run; the server answers
with ``ForwardMsg`` messages (``new_session``, ``delta``, …) until ``script_finished``. No cached
message hashes are sent, so every element arrives in full, as for a browser's first visit.
No cookie or XSRF token is needed: with authentication off (the demo) the session has no user
cookie, and the Origin header is not sent (the server accepts that, as for same-origin).

A page's time is from the rerun sent until the run's ``script_finished`` (a run that ends early
for a rerun — ``st.rerun`` — continues into the next one). An error is an exception element,
a failure the app puts in words (an ``st.error`` box with an incident number, or the banner
that writing is down — a plain ``st.error`` such as «контрольная точка не достигнута» is
content), a ``script_finished`` that is not a success, a closed socket or a timeout. The elements received are kept in
:class:`PageRun` so a caller can drive widgets (``widget_states``) and read figures."""
from __future__ import annotations

import asyncio
import hashlib
import re
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

SUCCESS = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
# The app's failure messages (ui/errors.py, presentation/locales/ru/storage.toml) as they begin or contain.
FAILURE_WORDS = ("номер инцидента", "Запись временно недоступна")
# Elements whose content the page digest covers (what a user reads: text, figures, tables, charts).
CONTENT = ("markdown", "metric", "heading", "alert", "dataframe", "table", "plotly_chart")


@dataclass
class PageRun:
    page: str
    seconds: float = float("nan")
    errors: list[str] = field(default_factory=list)
    widgets: dict[str, object] = field(default_factory=dict)      # widget id → its element message
    metrics: list[tuple[str, str]] = field(default_factory=list)  # (label, value) of st.metric
    alerts: list[tuple[int, str]] = field(default_factory=list)   # (Alert.Format, body)
    received: int = 0                                              # bytes
    parts: list[tuple[str, str]] = field(default_factory=list)    # (kind, content) when the session keeps them
    _digest: object = field(default_factory=hashlib.sha1, repr=False)

    @property
    def digest(self) -> str:
        """A digest of the content shown (the same data shows the same digest in any session)."""
        return self._digest.hexdigest()[:12]

    def widget(self, key_pattern: str) -> tuple[str, object] | None:
        """The widget whose user key matches ``key_pattern`` (ids end in ``-<key>``)."""
        pattern = re.compile(rf"-{key_pattern}$")
        return next(((wid, element) for wid, element in self.widgets.items() if pattern.search(wid)), None)


class Session:
    """One simulated user: a websocket to one app process, page runs one after another."""

    def __init__(self, base: str, timeout: float = 600, keep_content: bool = False):
        self.url = base.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.timeout = timeout
        self.keep_content = keep_content
        self.socket = None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect
        self.socket = await connect(self.url, subprotocols=["streamlit"], max_size=None,
                                    open_timeout=self.timeout, ping_interval=None)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def run(self, page: str, query: str = "", widgets: list[WidgetState] | None = None) -> PageRun:
        """Run ``page`` (its URL path) with ``query`` and the given widget values; wait for the end."""
        result = PageRun(page)
        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        state.page_name = page
        state.context_info.timezone = "Europe/Moscow"
        state.context_info.locale = "ru-RU"
        state.widget_states.widgets.extend(widgets or [])
        started = time.monotonic()
        try:
            if self.socket is None:
                await self.connect()
            await self.socket.send(message.SerializeToString())
            await asyncio.wait_for(self._until_finished(result), self.timeout)
        except asyncio.TimeoutError:
            result.errors.append(f"{page}: timeout after {self.timeout:.0f} s")
            await self._drop()
        except Exception as error:       # noqa: BLE001 - a closed socket etc.: an error of this page
            result.errors.append(f"{page}: {type(error).__name__}: {str(error)[:120]}")
            await self._drop()
        if not self.keep_content:
            result.parts.clear()
        result.seconds = time.monotonic() - started
        return result

    async def _drop(self) -> None:
        """After a failed run: the next run starts a new session (as a browser reconnects)."""
        if self.socket is not None:
            try:
                await self.socket.close()
            except Exception:        # noqa: BLE001 - already broken
                pass
            self.socket = None

    async def _until_finished(self, result: PageRun) -> None:
        while True:
            data = await self.socket.recv()
            result.received += len(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, result)
            elif kind == "page_not_found":
                result.errors.append(f"{result.page}: page not found")
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    result.widgets.clear()
                    result.metrics.clear()
                    result.alerts.clear()
                    result._digest = hashlib.sha1()
                    result.parts.clear()
                    continue                 # st.rerun: the run goes on
                if msg.script_finished not in SUCCESS:
                    result.errors.append(f"{result.page}: script finished with status {msg.script_finished}")
                return

    @staticmethod
    def _element(element, result: PageRun) -> None:
        kind = element.WhichOneof("type")
        body = getattr(element, kind) if kind else None
        if kind == "exception":
            result.errors.append(f"{result.page}: exception {body.type}: {body.message[:160]}")
        elif kind == "alert":
            result.alerts.append((body.format, body.body))
            if any(words in body.body for words in FAILURE_WORDS):
                result.errors.append(f"{result.page}: error shown: {body.body[:160]}")
        elif kind == "metric":
            result.metrics.append((body.label, body.body))
        if kind in CONTENT:
            result._digest.update(body.spec.encode() if kind == "plotly_chart" else body.SerializeToString(deterministic=True))
            result.parts.append((kind, body.spec if kind == "plotly_chart" else str(body)))
        if body is not None and "id" in body.DESCRIPTOR.fields_by_name and body.id:
            result.widgets[body.id] = body


def text_value(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)


def trigger(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)


def editor_rows(element) -> "object":
    """The rows an ``st.data_editor`` element shows (a pandas frame, in display order)."""
    import pyarrow as pa
    return pa.ipc.open_stream(element.arrow_data.data).read_all().to_pandas()
