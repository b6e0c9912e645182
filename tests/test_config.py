import pytest

from config import ConfigError, load_config


def test_defaults_need_nothing_installed():
    cfg = load_config(environ={})
    assert cfg["database"]["url"].startswith("sqlite:///")
    assert cfg["database"]["url"].endswith("var/relais.db")
    assert cfg["redis"]["url"] == ""  # embedded Redis
    assert cfg.get("phone.default_region") == "FR"


def test_environment_overrides_with_prefix_and_types():
    cfg = load_config(environ={
        "RELAIS_DATABASE__URL": "postgresql+psycopg://u@h/db",
        "RELAIS_PHONE__INTERNAL_EXTENSION_MAX_DIGITS": "4",
        "RELAIS_DEMO__COMPANY_SHARE": "0.5",
        "RELAIS_REDIS__URL": "redis://127.0.0.1:6379/0",
        "OTHER_VAR": "ignored",
    })
    assert cfg["database"]["url"] == "postgresql+psycopg://u@h/db"
    assert cfg.get("phone.internal_extension_max_digits") == 4
    assert cfg.get("demo.company_share") == 0.5
    assert cfg.get("redis.url") == "redis://127.0.0.1:6379/0"


def test_file_then_environment(tmp_path):
    f = tmp_path / "site.toml"
    f.write_text('[phone]\ndefault_region = "BE"\n[demo]\nseed = 7\n')
    cfg = load_config(environ={"RELAIS_CONFIG": str(f), "RELAIS_DEMO__SEED": "9"})
    assert cfg.get("phone.default_region") == "BE"
    assert cfg.get("demo.seed") == 9
    assert cfg.get("phone.internal_extension_max_digits") == 6  # untouched default


def test_broken_file_is_a_clear_error(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text("[phone\n")
    with pytest.raises(ConfigError, match="bad.toml"):
        load_config(f, environ={})
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", environ={})
