"""Settings: defaults < TOML file < environment PUPETUI_* < command-line flags."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pupetui import config


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """The user's config and data dirs in tmp; no PUPETUI_* from the real environment."""
    cfg = tmp_path / "xdg-config"
    data = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(cfg))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    for name in list(os.environ):
        if name.startswith("PUPETUI_"):
            monkeypatch.delenv(name)
    return cfg, data


FILE = """
db = "sqlite:///from-file.db"
company = "file"
user = "tiedosto"
lang = "fi"
auth = "password"

[smtp]
host = "smtp.file.example"
port = 587

[sms]
url = "https://sms.file.example/send"

[sql]
row_limit = 500
"""

ENV = {
    "PUPETUI_DB": "sqlite:///from-env.db",
    "PUPETUI_COMPANY": "env",
    "PUPETUI_USER": "ympäristö",
    "PUPETUI_LANG": "en",
    "PUPETUI_AUTH": "none",
    "PUPETUI_SMTP__HOST": "smtp.env.example",
    "PUPETUI_SMS__URL": "https://sms.env.example/send",
    "PUPETUI_SQL__ROW_LIMIT": "250",
}

FLAGS = {"db": "sqlite:///from-flag.db", "company": "flag", "user": "lippu", "lang": "fi", "auth": "password"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path):
    s = config.load({}, environ={})
    assert s.company == ""
    assert s.auth == "none"
    assert s.lang == ""
    assert s.smtp["host"] == "" and s.smtp["port"] == 25
    assert s.sql["row_limit"] == 10000
    assert s.source == ""


def test_default_user_is_the_os_user(monkeypatch):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "käyttäjä")
    assert config.load({}, environ={}).user == "käyttäjä"


def test_default_database_is_an_sqlite_file_in_the_user_data_dir(isolated_dirs):
    _, data = isolated_dirs
    s = config.load({}, environ={})
    assert s.db == ""
    assert s.db_url.startswith("sqlite:///")
    path = Path(s.db_url[len("sqlite:///"):])
    assert path.parent == data / "pupetui"
    assert path.suffix in (".sqlite3", ".sqlite", ".db")


def test_file_overrides_defaults(tmp_path):
    s = config.load({}, config_path=write(tmp_path / "c.toml", FILE), environ={})
    assert s.db == "sqlite:///from-file.db" and s.db_url == "sqlite:///from-file.db"
    assert (s.company, s.user, s.lang, s.auth) == ("file", "tiedosto", "fi", "password")
    assert s.smtp["host"] == "smtp.file.example"
    assert s.smtp["port"] == 587
    # keys the file does not give keep their defaults
    assert s.smtp["timeout"] == 30 and s.smtp["security"] == ""
    assert s.sms["url"] == "https://sms.file.example/send"
    assert s.sms["max_length"] == 160
    assert s.sql["row_limit"] == 500
    assert s.source == str(tmp_path / "c.toml")


def test_environment_overrides_file(tmp_path):
    s = config.load({}, config_path=write(tmp_path / "c.toml", FILE), environ=ENV)
    assert s.db == "sqlite:///from-env.db"
    assert (s.company, s.user, s.lang, s.auth) == ("env", "ympäristö", "en", "none")
    assert s.smtp["host"] == "smtp.env.example"
    assert s.smtp["port"] == 587  # from the file, untouched by the environment
    assert s.sms["url"] == "https://sms.env.example/send"
    assert s.sql["row_limit"] == 250 and isinstance(s.sql["row_limit"], int)


def test_flags_override_environment(tmp_path):
    s = config.load(FLAGS, config_path=write(tmp_path / "c.toml", FILE), environ=ENV)
    assert s.db == "sqlite:///from-flag.db"
    assert (s.company, s.user, s.lang, s.auth) == ("flag", "lippu", "fi", "password")
    assert s.smtp["host"] == "smtp.env.example"


def test_flags_not_given_do_not_override(tmp_path):
    flags = {k: None for k in FLAGS}
    s = config.load(flags, config_path=write(tmp_path / "c.toml", FILE), environ=ENV)
    assert s.company == "env"


def test_env_coerces_numbers_and_refuses_nonsense():
    s = config.load({}, environ={"PUPETUI_SQL__ROW_LIMIT": "1234", "PUPETUI_SMTP__PORT": "465"})
    assert s.sql["row_limit"] == 1234 and s.smtp["port"] == 465
    with pytest.raises(config.ConfigError) as info:
        config.load({}, environ={"PUPETUI_SQL__ROW_LIMIT": "paljon"})
    assert "PUPETUI_SQL__ROW_LIMIT" in str(info.value)


def test_config_file_from_pupetui_config(tmp_path):
    path = write(tmp_path / "elsewhere.toml", 'company = "viaenv"\n')
    s = config.load({}, environ={"PUPETUI_CONFIG": str(path)})
    assert s.company == "viaenv"
    assert s.source == str(path)


def test_config_flag_wins_over_pupetui_config(tmp_path):
    env_file = write(tmp_path / "env.toml", 'company = "viaenv"\n')
    flag_file = write(tmp_path / "flag.toml", 'company = "viaflag"\n')
    s = config.load({}, config_path=flag_file, environ={"PUPETUI_CONFIG": str(env_file)})
    assert s.company == "viaflag"


def test_default_config_path_under_user_config_dir(isolated_dirs):
    cfg, _ = isolated_dirs
    assert config.user_config_path() == cfg / "pupetui" / "config.toml"
    write(cfg / "pupetui" / "config.toml", 'company = "oletus"\n[smtp]\nhost = "posti.example"\n')
    s = config.load({}, environ={})
    assert s.company == "oletus"
    assert s.smtp["host"] == "posti.example"
    assert s.source == str(cfg / "pupetui" / "config.toml")


def test_missing_default_config_file_is_fine():
    assert config.load({}, environ={}).source == ""


def test_missing_explicit_config_file_is_an_error(tmp_path):
    with pytest.raises(config.ConfigError) as info:
        config.load({}, config_path=tmp_path / "ei-ole.toml", environ={})
    assert "ei-ole.toml" in str(info.value)


def test_broken_toml_names_the_file(tmp_path):
    path = write(tmp_path / "rikki.toml", 'company = "acme\n[smtp\n')
    with pytest.raises(config.ConfigError) as info:
        config.load({}, config_path=path, environ={})
    assert str(path) in str(info.value)


def test_unknown_key_is_an_error(tmp_path):
    path = write(tmp_path / "c.toml", 'compnay = "acme"\n')
    with pytest.raises(config.ConfigError) as info:
        config.load({}, config_path=path, environ={})
    assert "compnay" in str(info.value)


def test_unknown_key_in_a_section_is_an_error(tmp_path):
    """A typo in [smtp] must not be ignored silently (mail would go nowhere)."""
    path = write(tmp_path / "c.toml", '[smtp]\nhots = "smtp.example"\n')
    with pytest.raises(config.ConfigError) as info:
        config.load({}, config_path=path, environ={})
    assert "hots" in str(info.value)


def test_wrong_type_in_file_is_an_error(tmp_path):
    """`row_limit = "paljon"` must be refused when read, not crash the SQL search later."""
    path = write(tmp_path / "c.toml", '[sql]\nrow_limit = "paljon"\n')
    with pytest.raises(config.ConfigError) as info:
        config.load({}, config_path=path, environ={})
    assert "row_limit" in str(info.value)


def test_password_in_the_environment_is_not_a_setting():
    """PUPETUI_PASSWORD is read by the headless login; it must not break the settings."""
    s = config.load({}, environ={"PUPETUI_PASSWORD": "salainen", "PUPETUI_COMPANY": "acme"})
    assert s.company == "acme"
    assert "salainen" not in repr(s)


@pytest.mark.parametrize(
    "text,word",
    [('auth = "ldap"\n', "ldap"), ('lang = "sv"\n', "sv")],
)
def test_bad_auth_or_lang_in_file(tmp_path, text, word):
    with pytest.raises(config.ConfigError) as info:
        config.load({}, config_path=write(tmp_path / "c.toml", text), environ={})
    message = str(info.value)
    assert word in message
    assert ("none" in message and "password" in message) or ("fi" in message and "en" in message)


@pytest.mark.parametrize("env", [{"PUPETUI_AUTH": "kerberos"}, {"PUPETUI_LANG": "de"}])
def test_bad_auth_or_lang_in_environment(env):
    with pytest.raises(config.ConfigError) as info:
        config.load({}, environ=env)
    assert list(env.values())[0] in str(info.value)


def test_real_environment_is_used_when_none_given(monkeypatch):
    monkeypatch.setenv("PUPETUI_COMPANY", "osenv")
    monkeypatch.setenv("PUPETUI_SMTP__HOST", "smtp.os.example")
    s = config.load({})
    assert s.company == "osenv" and s.smtp["host"] == "smtp.os.example"


def test_the_serve_section_has_its_defaults_and_takes_lists_from_toml_or_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no configuration file
    settings = config.load(environ={})
    assert settings.serve["max_sessions"] == 50 and settings.serve["max_sessions_per_address"] == 5
    assert settings.serve["allowed_origins"] == [] and settings.serve["login_timeout_seconds"] == 600
    conf = tmp_path / "c.toml"
    conf.write_text('[serve]\nallowed_origins = ["https://crm.example.com"]\nmax_sessions = 3\n', encoding="utf-8")
    settings = config.load(config_path=conf, environ={"PUPETUI_SERVE__TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2"})
    assert settings.serve["allowed_origins"] == ["https://crm.example.com"] and settings.serve["max_sessions"] == 3
    assert settings.serve["trusted_proxies"] == ["10.0.0.1", "10.0.0.2"]
    conf.write_text("[serve]\nallowed_origins = 5\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="serve.allowed_origins must be a list of strings"):
        config.load(config_path=conf, environ={})
