"""Local files the CLI reads and writes: job config files and the saved credentials.

Both fail with UsageError and a sentence naming the file and the problem, never a
traceback: these are the mistakes a person makes (a wrong path, a YAML indent).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

CREDENTIALS_FILE = "credentials.json"


class UsageError(Exception):
    """A mistake in what the user gave the CLI: printed as is, exit code 2."""


# -- job config files ------------------------------------------------------------------------

def load_job_file(path: str | Path) -> dict:
    """The request body for POST /jobs/ from a .json, .yaml or .yml file.

    The file holds either a bare training config or a full body ({"config": ...} and/or
    {"lab": ...}); a bare config is wrapped, so both styles found in docs work.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise UsageError(f"{path}: expected a .json, .yaml or .yml file.")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a config file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it ({exc}).") from None
    data = _parse_json(path, text) if suffix == ".json" else _parse_yaml(path, text)
    return job_body(data, source=str(path))


def _parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
        ) from None


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UsageError(f"{path}: invalid YAML{where}: {problem}.") from None


def job_body(data: Any, *, source: str = "the config") -> dict:
    if not isinstance(data, dict) or not data:
        raise UsageError(f"{source}: expected a mapping of config sections "
                         "(model, data, optim), or {\"config\": ...}.")
    if "config" in data or "lab" in data:
        return data
    return {"config": data}


# -- credentials -----------------------------------------------------------------------------

def config_dir() -> Path:
    """DLP_CONFIG_DIR (tests point it at a temporary directory), else the XDG location."""
    if os.environ.get("DLP_CONFIG_DIR"):
        return Path(os.environ["DLP_CONFIG_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "dlp"


def credentials_path() -> Path:
    return config_dir() / CREDENTIALS_FILE


def load_credentials() -> dict:
    """{"url", "token", "username"} saved by `dlp login`; {} when absent or unreadable."""
    try:
        data = json.loads(credentials_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_credentials(url: str, token: str, username: str) -> Path:
    """Write the token readable by its owner only (0600), atomically, so a crash cannot
    leave half a file and no other user on the machine ever sees the key."""
    directory = config_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = directory / CREDENTIALS_FILE
    body = json.dumps({"url": url, "token": token, "username": username}, indent=2) + "\n"
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".credentials-")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(body)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
