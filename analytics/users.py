"""Users of a deployment: a TOML file with bcrypt password hashes, and a command line to manage it.

    python -m analytics.users add ivanova --role municipal --municipality 01-03 --name "Иванова Н. П."
    python -m analytics.users hash            # print a hash for a password typed in
    python -m analytics.users list
    python -m analytics.users remove ivanova

The password is asked twice on the terminal (or read from standard input with
``--password-stdin``) and only its bcrypt hash is written. The file is written whole to a
temporary file and renamed, readable by its owner only.
"""
from __future__ import annotations

import argparse
import functools
import getpass
import hashlib
import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from analytics.access import REQUIRED_SCOPE, Principal, Role
from analytics.config import PROJECT_ROOT, load_settings

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 8
BCRYPT_ROUNDS = 12


@dataclass(frozen=True)
class AuthSettings:
    enabled: bool
    users_file: Path


def auth_settings(environ: dict | None = None) -> AuthSettings:
    """``[auth]`` in data/settings.toml (``enabled``, ``users_file``); SHNOR_AUTH (1/0) and
    SHNOR_USERS override them."""
    environ = os.environ if environ is None else environ
    raw = load_settings(environ=environ).extra.get("auth", {}) or {}
    enabled = bool(raw.get("enabled", False))
    if environ.get("SHNOR_AUTH") is not None:
        enabled = environ["SHNOR_AUTH"].strip().lower() in ("1", "true", "yes", "on")
    path = Path(environ.get("SHNOR_USERS") or raw.get("users_file") or "data/users.toml")
    return AuthSettings(enabled, path if path.is_absolute() else PROJECT_ROOT / path)


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    password_hash: str
    name: str = ""
    region_id: str | None = None
    municipality_id: str | None = None
    school_id: str | None = None

    def principal(self) -> Principal:
        return Principal(self.username, self.role, self.name or self.username, self.region_id,
                         self.municipality_id, self.school_id)

    def credential_version(self) -> str:
        """Changes with the password (a new hash has a new salt, even for the same password),
        the role and the scope: a session made with another version has ended."""
        fields = (self.password_hash, self.role.value, self.region_id, self.municipality_id, self.school_id)
        return hashlib.sha256(json.dumps(fields).encode("utf-8")).hexdigest()[:24]


class UsersFileError(ValueError):
    pass


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password.encode("utf-8")) > 72:
        raise ValueError("the password must be at most 72 bytes (bcrypt's limit)")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the user is unknown, so a wrong name takes as long as a wrong password."""
    return bcrypt.hashpw(b"not a password", bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()


def check_password(password: str, password_hash: str | None) -> bool:
    data = password.encode("utf-8")[:72]
    try:
        return bcrypt.checkpw(data, (password_hash or _dummy_hash()).encode("ascii")) and password_hash is not None
    except ValueError:          # a malformed hash in the file
        return False


def _clean(value) -> str | None:
    return str(value).strip() or None if value is not None else None


def validate_user(user: User) -> list[str]:
    problems = []
    if not USERNAME.match(user.username):
        problems.append(f"{user.username!r}: user names are 2–40 latin lower-case letters, digits, '.', '_', '-'")
    needed = REQUIRED_SCOPE.get(user.role)
    if needed == "municipality" and not user.municipality_id:
        problems.append(f"{user.username}: a municipal user needs a municipality")
    if needed == "school" and not user.school_id:
        problems.append(f"{user.username}: a school user needs a school")
    if not user.password_hash.startswith("$2"):
        problems.append(f"{user.username}: password_hash is not a bcrypt hash")
    return problems


def read_users(path: Path) -> dict[str, User]:
    """Users by name; a missing file means no users. Raises UsersFileError on a bad file."""
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UsersFileError(f"{path}: {error}") from error
    users, problems = {}, []
    for username, entry in (raw.get("users") or {}).items():
        try:
            role = Role(entry.get("role", ""))
        except ValueError:
            problems.append(f"{username}: unknown role {entry.get('role')!r}")
            continue
        user = User(username, role, str(entry.get("password_hash", "")), str(entry.get("name", "")),
                    _clean(entry.get("region")), _clean(entry.get("municipality")), _clean(entry.get("school")))
        problems += validate_user(user)
        users[username] = user
    if problems:
        raise UsersFileError("; ".join(problems))
    return users


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)   # a JSON string is a valid TOML basic string


def write_users(path: Path, users: dict[str, User]) -> None:
    lines = ["# Users of this deployment. Manage with `python -m analytics.users` (passwords: bcrypt hashes).", ""]
    for username in sorted(users):
        user = users[username]
        lines.append(f"[users.{_toml_string(username)}]")
        lines.append(f"name = {_toml_string(user.name)}")
        lines.append(f"role = {_toml_string(user.role.value)}")
        for key, value in (("region", user.region_id), ("municipality", user.municipality_id),
                           ("school", user.school_id)):
            if value:
                lines.append(f"{key} = {_toml_string(value)}")
        lines.append(f"password_hash = {_toml_string(user.password_hash)}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    os.replace(temporary, path)


def authenticate(users: dict[str, User], username: str, password: str) -> User | None:
    user = users.get((username or "").strip().lower())
    return user if check_password(password or "", user.password_hash if user else None) else None


# -- command line ------------------------------------------------------------------------------
def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Пароль: ")
    if first != getpass.getpass("Ещё раз: "):
        raise SystemExit("пароли не совпадают")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.users", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, help="users file (default: [auth] users_file / SHNOR_USERS)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a user or replace one (role, scope, password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name", default="")
    add.add_argument("--region")
    add.add_argument("--municipality")
    add.add_argument("--school")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    hash_ = sub.add_parser("hash", help="print the bcrypt hash of a password")
    hash_.add_argument("--password-stdin", action="store_true")
    sub.add_parser("list", help="list users (no hashes)")
    remove = sub.add_parser("remove", help="remove a user")
    remove.add_argument("username")
    args = parser.parse_args(argv)
    path = args.file or auth_settings().users_file
    try:
        if args.command == "hash":
            print(hash_password(_read_password(args.password_stdin)))
            return 0
        users = read_users(path)
        if args.command == "list":
            for user in users.values():
                scope = user.school_id or user.municipality_id or user.region_id or "—"
                print(f"{user.username}\t{user.role.value}\t{scope}\t{user.name}")
            return 0
        if args.command == "remove":
            if users.pop(args.username, None) is None:
                print(f"нет пользователя {args.username}", file=sys.stderr)
                return 1
            write_users(path, users)
            print(f"{args.username}: удалён из {path}")
            return 0
        user = User(args.username.strip().lower(), Role(args.role), "$2b$placeholder", args.name,
                    args.region, args.municipality, args.school)
        problems = validate_user(user)
        if problems:
            print("; ".join(problems), file=sys.stderr)
            return 2
        user = User(**{**vars(user), "password_hash": hash_password(_read_password(args.password_stdin))})
        users[user.username] = user
        write_users(path, users)
        print(f"{user.username}: {user.role.value}, записан в {path}")
        return 0
    except (ValueError, UsersFileError) as error:
        print(str(error), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
