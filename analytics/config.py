"""Deployment settings: defaults, then ``data/settings.toml``, then environment variables."""
from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = PROJECT_ROOT / "data" / "settings.toml"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    today: dt.date
    language: str = "ru"
    min_n: int = 10
    demo_seed: int = 20261122
    # Served mode (docs/ru/served.md): a PostgreSQL DSN selects it; None keeps the embedded file.
    served_dsn: str | None = None
    parquet_dir: Path | None = None      # where the importer publishes Parquet versions
    extra: dict = field(default_factory=dict)


def _resolve(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_settings(settings_file: Path | None = None, environ: dict | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    raw: dict = {}
    file = settings_file or SETTINGS_FILE
    if file.exists():
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    db_path = environ.get("SHNOR_DB") or raw.get("db_path") or "data/shnor.duckdb"
    today_text = environ.get("SHNOR_TODAY") or raw.get("today")
    today = dt.date.fromisoformat(str(today_text)) if today_text else dt.date.today()
    known = {"db_path", "today", "language", "min_n", "demo_seed", "served_dsn", "parquet_dir"}
    served_dsn = environ.get("SHNOR_PG") or raw.get("served_dsn") or None
    parquet_dir = environ.get("SHNOR_PARQUET") or raw.get("parquet_dir") or "data/served"
    return Settings(
        db_path=_resolve(db_path),
        today=today,
        language=environ.get("SHNOR_LANG") or raw.get("language", "ru"),
        min_n=int(raw.get("min_n", 10)),
        demo_seed=int(raw.get("demo_seed", 20261122)),
        served_dsn=served_dsn,
        parquet_dir=_resolve(parquet_dir),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def with_overrides(settings: Settings, **changes) -> Settings:
    return replace(settings, **changes)
