"""Users of every role for access tests, and running pages as one of them (AppTest)."""
from __future__ import annotations

from pathlib import Path

import bcrypt

from analytics.access import Role
from analytics.users import User, write_users

PASSWORD = "correct horse 42"
MUNICIPALITY = "01-03"            # Сергиевский муниципальный район of the demo region
SCHOOL = "0100121"                # a school of it with its own roadmap (Соколовская СОШ)
OTHER_MUNICIPALITY = "01-05"

ROLES = {
    "admin": dict(role=Role.ADMIN),
    "region": dict(role=Role.REGIONAL, region_id="01"),
    "mun": dict(role=Role.MUNICIPAL, municipality_id=MUNICIPALITY),
    "method": dict(role=Role.METHODOLOGIST, municipality_id=MUNICIPALITY),
    "school": dict(role=Role.SCHOOL, school_id=SCHOOL),
    "viewer": dict(role=Role.VIEWER, region_id="01"),
}


def write_role_users(path: Path) -> Path:
    digest = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()   # fast for tests
    users = {name: User(name, password_hash=digest, name=f"Тест {name}", **spec) for name, spec in ROLES.items()}
    write_users(path, users)
    return path
