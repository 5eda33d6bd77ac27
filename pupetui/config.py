"""Settings: defaults < TOML file < environment PUPETUI_* < command-line flags.

The TOML file is found at `--config PATH`, else `$PUPETUI_CONFIG`, else
`<user config dir>/pupetui/config.toml`.  Environment variables use a double
underscore between section and key: `PUPETUI_SMTP__HOST=mail.example.com`;
top-level keys are plain: `PUPETUI_DB=sqlite:///x.db`, `PUPETUI_COMPANY=demo`.
"""

from __future__ import annotations

import copy
import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import platformdirs

APP_NAME = "pupetui"

AUTH_MODES = ("none", "password")
LANGUAGES = ("fi", "en")


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_db_url() -> str:
    return f"sqlite:///{user_data_dir() / 'pupetui.sqlite3'}"


def demo_db_url() -> str:
    return f"sqlite:///{user_data_dir() / 'demo.sqlite3'}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry, no LOGNAME: containers do this
        return ""


DEFAULTS: dict[str, Any] = {
    "db": "",  # empty: the SQLite file in the user data dir
    "company": "",  # empty: the only company there is, or the first one
    "user": "",  # empty: the OS user name
    "lang": "",  # empty: from the locale
    "auth": "none",
    "theme": "",
    "export_dir": "",  # where the export dialogs offer to save; empty: the download folder (see export_target)
    "keys": {},  # binding id -> keys, e.g. {"quit" = "ctrl+q"}
    "smtp": {
        "host": "",
        "port": 25,
        "security": "",  # "", "starttls" or "ssl"
        "user": "",
        "password": "",
        "sender": "",
        "timeout": 30,
    },
    "sms": {
        "url": "",
        "user": "",
        "password": "",
        "max_length": 160,
        "timeout": 10,
    },
    "sql": {
        "readonly_url": "",
        "company_only": False,  # the SQL search reads only the session's company (not Pupesoft's way)
        "row_limit": 10000,
        "timeout_seconds": 30,
        "max_result_bytes": 64 * 1024 * 1024,  # what the rows kept for showing may hold
        "max_export_bytes": 1024 * 1024 * 1024,  # what one export may write
        "export_timeout_seconds": 600,  # one whole export run: the database, fetching, writing
    },
    "serve": {  # `pupetui serve`; the failed-login limits hold for every password login
        "allowed_origins": [],  # web origins whose pages may open sessions; empty: the served address
        "max_sessions": 50,  # browser sessions (one process each) at once
        "max_sessions_per_address": 5,  # of one client address (IPv6: one /64)
        "trusted_proxies": [],  # addresses whose X-Forwarded-For names the client
        "login_timeout_seconds": 600,  # a session not logged in by then is closed (0: never)
        "max_failed_logins_per_user": 5,  # within the window, then locked until it passes
        "max_failed_logins_per_address": 20,
        "failed_login_window_minutes": 15,
    },
    "labels": {
        "font": "",  # a TrueType font file; empty: DejaVu Sans if installed, else reportlab's Vera
        "language": "",  # of the country names on labels (fi, en); empty: the user's language
        "sheets": {},  # NAME -> {columns, rows, label_width, label_height, ...} in millimetres
    },
}
# [sql] limits that must be whole numbers of at least 1 (0 or less would stop every query)
SQL_POSITIVE = ("max_result_bytes", "max_export_bytes", "export_timeout_seconds")
LABEL_SHEET_NUMBERS = ("page_width", "page_height", "label_width", "label_height", "margin_left",
                       "margin_top", "gap_x", "gap_y", "padding")
LABEL_SHEET_INTEGERS = ("columns", "rows")


class ConfigError(Exception):
    """The configuration cannot be used; the message says why, for a person."""


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _coerce(template: Any, raw: str) -> Any:
    if isinstance(template, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(template, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"expected a whole number, got {raw!r}") from None
    return raw


def _string_list(name: str, value: Any) -> list[str]:
    """A TOML list of strings, or one string of comma-separated items (from the environment)."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise ConfigError(f"{name} must be a list of strings, not {value!r}")


def from_environment(environ: Mapping[str, str], defaults: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("PUPETUI_"):
            continue
        path = name[len("PUPETUI_"):].lower().split("__")
        if path[0] not in defaults:
            continue  # PUPETUI_CONFIG, PUPETUI_PASSWORD, test switches: not settings
        node = defaults
        target = out
        for part in path[:-1]:
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
            target = target.setdefault(part, {})
        template = node.get(path[-1], "") if isinstance(node, Mapping) else ""
        try:
            target[path[-1]] = _coerce(template, raw)
        except ConfigError as exc:
            raise ConfigError(f"{name}: {exc}") from None
    return out


def read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a file to read (a faster start without one)

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc.strerror}") from None


@dataclass
class Settings:
    db: str
    company: str
    user: str
    lang: str
    auth: str
    theme: str
    export_dir: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    smtp: dict[str, Any] = field(default_factory=dict)
    sms: dict[str, Any] = field(default_factory=dict)
    sql: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    serve: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # the config file that was read, if any

    @property
    def db_url(self) -> str:
        return self.db or default_db_url()


def _check_label_sheets(labels: Mapping[str, Any]) -> None:
    """[labels.sheets.NAME] tables: known keys of the right types (whether the labels fit their
    page is checked where the sheet is used, by services/labels.py)."""
    if labels.get("language") and labels["language"] not in LANGUAGES:
        raise ConfigError(f"labels.language must be one of {', '.join(LANGUAGES)}, not {labels['language']!r}")
    sheets = labels.get("sheets")
    if not isinstance(sheets, Mapping):
        raise ConfigError("[labels.sheets] must be a table of sheets, e.g. [labels.sheets.mysheet]")
    for name, values in sheets.items():
        check_label_sheet(str(name), values)


def check_label_sheet(name: str, values: Any) -> None:
    """ConfigError unless a [labels.sheets.NAME] table has only known keys of the right types."""
    if not isinstance(values, Mapping):
        raise ConfigError(f"[labels.sheets.{name}] must be a table of settings")
    unknown = sorted(set(values) - set(LABEL_SHEET_NUMBERS) - set(LABEL_SHEET_INTEGERS))
    if unknown:
        raise ConfigError(f"unknown setting(s) in [labels.sheets.{name}]: {', '.join(unknown)}")
    for key, value in values.items():
        if key in LABEL_SHEET_INTEGERS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"labels.sheets.{name}.{key} must be a whole number, not {value!r}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"labels.sheets.{name}.{key} must be a number of millimetres, not {value!r}")


def load(
    flags: Mapping[str, Any] | None = None,
    *,
    config_path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from all four layers; flags that are None are not given."""
    environ = os.environ if environ is None else environ
    merged = copy.deepcopy(DEFAULTS)
    source = ""
    explicit = config_path or environ.get("PUPETUI_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        merged = _merge(merged, read_toml(path))
        source = str(path)
    else:
        path = user_config_path()
        if path.is_file():
            merged = _merge(merged, read_toml(path))
            source = str(path)
    merged = _merge(merged, from_environment(environ, DEFAULTS))
    for key, value in (flags or {}).items():
        if value is not None:
            merged[key] = value
    unknown = set(merged) - set(DEFAULTS)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    for section, template in DEFAULTS.items():
        if not isinstance(template, dict) or section == "keys":
            continue
        if not isinstance(merged[section], Mapping):
            raise ConfigError(f"[{section}] must be a table of settings")
        extra = set(merged[section]) - set(template)
        if extra:
            raise ConfigError(f"unknown setting(s) in [{section}]: {', '.join(sorted(extra))}")
        for key, default in template.items():
            value = merged[section][key]
            if isinstance(default, list):
                merged[section][key] = _string_list(f"{section}.{key}", value)
            elif isinstance(default, int) and not isinstance(value, int):
                try:
                    merged[section][key] = _coerce(default, str(value))
                except ConfigError:
                    raise ConfigError(
                        f"{section}.{key} must be a whole number, not {value!r}"
                    ) from None
    for key in SQL_POSITIVE:
        value = merged["sql"][key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"sql.{key} must be a whole number of at least 1, not {value!r}")
    _check_label_sheets(merged["labels"])
    if not isinstance(merged["keys"], Mapping):
        raise ConfigError("[keys] must be a table of binding id = key")
    if merged["auth"] not in AUTH_MODES:
        raise ConfigError(f"auth must be one of {', '.join(AUTH_MODES)}, not {merged['auth']!r}")
    if merged["lang"] and merged["lang"] not in LANGUAGES:
        raise ConfigError(f"lang must be one of {', '.join(LANGUAGES)}, not {merged['lang']!r}")
    if not isinstance(merged["export_dir"], str):
        raise ConfigError(f"export_dir must be the path of a folder, not {merged['export_dir']!r}")
    if not merged["user"]:
        merged["user"] = _os_user()
    return Settings(source=source, **{k: merged[k] for k in DEFAULTS})
