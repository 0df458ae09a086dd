"""The load benchmark's websocket client (bench/streamlit_client.py) reads the server's messages
as the Streamlit frontend does: a run ends at its script_finished (not at one that ends early
for st.rerun), failures are counted, widgets and figures are found; and the nightly
demonstration's results file changes exactly one municipality's rows."""
from __future__ import annotations

import asyncio
import csv

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.streamlit_client import Session, text_value, trigger


class FakeSocket:
    def __init__(self, messages: list[ForwardMsg]):
        self.incoming = [m.SerializeToString() for m in messages]
        self.sent: list[BackMsg] = []

    async def send(self, data: bytes) -> None:
        message = BackMsg()
        message.ParseFromString(data)
        self.sent.append(message)

    async def recv(self) -> bytes:
        if not self.incoming:
            raise ConnectionError("closed")
        return self.incoming.pop(0)

    async def close(self) -> None:
        pass


def _element(kind: str, **values) -> ForwardMsg:
    msg = ForwardMsg()
    body = getattr(msg.delta.new_element, kind)
    for name, value in values.items():
        setattr(body, name, value)
    return msg


def _finished(status) -> ForwardMsg:
    msg = ForwardMsg()
    msg.script_finished = status
    return msg


def _run(messages: list[ForwardMsg], **kwargs):
    session = Session("http://127.0.0.1:1", timeout=5)
    session.socket = FakeSocket(messages)
    return asyncio.run(session.run("roadmaps", "school=1", **kwargs)), session.socket


def test_a_run_ends_at_its_own_script_finished_not_at_an_early_one_for_a_rerun():
    run, socket = _run([_element("metric", label="before rerun", body="1"), _finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN),
                        _element("metric", label="Исполнение", body="69 %"),
                        _element("button", id="$$ID-abc-roadmaps_save", label="Сохранить"),
                        _finished(ForwardMsg.FINISHED_SUCCESSFULLY)],
                       widgets=[text_value("$$ID-x-roadmaps_editor_name", "Директор"), trigger("$$ID-abc-roadmaps_save")])
    assert run.errors == []
    assert run.metrics == [("Исполнение", "69 %")]           # the run cut short by st.rerun is not what is shown
    assert run.widget("roadmaps_save")[0] == "$$ID-abc-roadmaps_save"
    assert run.widget("roadmaps_editor_[0-9a-f]{8}") is None
    sent = socket.sent[0].rerun_script
    assert (sent.page_name, sent.query_string) == ("roadmaps", "school=1")
    assert [(w.id, w.WhichOneof("value")) for w in sent.widget_states.widgets] == [
        ("$$ID-x-roadmaps_editor_name", "string_value"), ("$$ID-abc-roadmaps_save", "trigger_value")]


def test_failures_are_counted_and_content_errors_are_not():
    run, _ = _run([_element("alert", body="Контрольная точка 30.06.2026: не достигнута", format=1),
                   _element("alert", body="Непредвиденная ошибка … номер инцидента: 7f3a", format=1),
                   _element("exception", type="KeyError", message="school"),
                   _finished(ForwardMsg.FINISHED_WITH_COMPILE_ERROR)])
    assert len(run.errors) == 3 and "номер инцидента" in run.errors[0] and "KeyError" in run.errors[1]
    closed, _ = _run([_element("markdown", body="начало")])      # the socket closes mid-run
    assert closed.errors and "ConnectionError" in closed.errors[0]


def test_the_digest_follows_the_content_shown():
    first, _ = _run([_element("markdown", body="доля «2» 15 %"), _finished(ForwardMsg.FINISHED_SUCCESSFULLY)])
    same, _ = _run([_element("markdown", body="доля «2» 15 %"), _finished(ForwardMsg.FINISHED_SUCCESSFULLY)])
    other, _ = _run([_element("markdown", body="доля «2» 19 %"), _finished(ForwardMsg.FINISHED_SUCCESSFULLY)])
    assert first.digest == same.digest != other.digest


def test_the_nightly_results_file_changes_one_municipality(writable_db_path, tmp_path):
    # A private copy: DuckDB refuses a read-only connection to a file this process (another test
    # in the same worker) holds open with another configuration.
    import duckdb
    from bench.served_nightly import changed_results_file
    path = tmp_path / "vpr.csv"
    rows, changed = changed_results_file(writable_db_path, path, "01-02")
    with path.open(encoding="utf-8") as source:
        lines = list(csv.DictReader(source, delimiter=";"))
    with duckdb.connect(str(writable_db_path), read_only=True) as db:
        stored = {(s, str(g), subject): (n2, n3) for s, g, subject, n2, n3 in db.execute(
            "SELECT r.school_id, r.grade, j.name_ru, r.n2, r.n3 FROM results r JOIN subjects j USING (subject_id) "
            "WHERE r.procedure = 'VPR' AND r.year = (SELECT max(year) FROM results WHERE procedure = 'VPR')").fetchall()}
        in_municipality = {s for (s,) in db.execute("SELECT school_id FROM schools WHERE municipality_id = '01-02'").fetchall()}
    assert len(lines) == rows == len(stored) and 0 < changed < rows
    moved = [line for line in lines
             if (int(line["«2»"]), int(line["«3»"])) != stored[(line["Код школы"], line["Класс"], line["Предмет"])]]
    assert len(moved) == changed and {line["Код школы"] for line in moved} <= in_municipality
    assert all((int(m["«2»"]) - 1, int(m["«3»"]) + 1) == stored[(m["Код школы"], m["Класс"], m["Предмет"])]
               for m in moved)
