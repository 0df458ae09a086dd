"""python -m bench.table [bench/results/latest.json] — the run's figures as Markdown tables
(for bench/README.md)."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _s(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def _x(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def _met(row) -> str:
    return {True: "yes", False: "**no**", None: "—"}[row.get("met")]


def markdown(payload: dict) -> str:
    rows = payload["rows"]
    out = []
    analytics = [r for r in rows if r["section"] == "analytics"]
    if analytics:
        out += ["| operation (national set) | project s: median (min) | expert query s | pandas s | floor s "
                "| × expert (≤ 1.5) | pandas ÷ project (≥ 5) | × floor | values | met |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for r in analytics:
            values = "; ".join(f"{k}: {v}" for k, v in r["same_values"].items())
            out.append(f"| {r['operation']} | {_s(r['project_s'])} ({_s(r['project_min_s'])}) | {_s(r['expert_s'])} "
                       f"| {_s(r['pandas_s'])} | {_s(r['floor_s'])} | {_x(r['x_expert'])} | {_x(r['pandas_x'])} "
                       f"| {_x(r['x_floor'])} | {values} | {_met(r)} |")
    browser = [r for r in rows if r["section"] == "browser"]
    if browser:
        out += ["", "| page (browser) | measure | drawn s (median) | script done s | empty page drawn s | × empty "
                "| target | met | websocket bytes, content |", "|---|---|---|---|---|---|---|---|---|"]
        for r in browser:
            page, _, measure = r["operation"].partition(": ")
            extra = (f"{r['bytes'] / 1024:,.0f} KB, {r.get('note', '')}" if "bytes" in r else "")
            out.append(f"| {page} | {measure} | {_s(r['project_s'])} | {_s(r.get('script_s'))} | {_s(r['floor_s'])} "
                       f"| {_x(r.get('x_floor'))} | {r.get('target', '')} | {_met(r)} | {extra} |")
    return "\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results" / "latest.json")
    print(markdown(json.loads(path.read_text(encoding="utf-8"))))
