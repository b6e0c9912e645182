"""Configuration loading: defaults file, optional override file, then RELAIS_* environment.

The result is a plain nested dict wrapped in :class:`Config`, which allows ``cfg["a"]["b"]``
and ``cfg.get("a.b")`` lookups. Paths that are relative are resolved against the project root,
so commands behave the same from any working directory.
"""
from __future__ import annotations

import copy
import os
import tomllib
from pathlib import Path
from typing import Any, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = Path(__file__).resolve().parent / "default.toml"
ENV_PREFIX = "RELAIS_"


class ConfigError(ValueError):
    """A configuration file or override that cannot be used."""


class Config(dict):
    """Nested configuration mapping with dotted-path access."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        node: Any = self
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    def section(self, name: str) -> dict:
        value = self.get(name)
        if not isinstance(value, dict):
            raise ConfigError(f"configuration section [{name}] is missing")
        return value

    @property
    def var_dir(self) -> Path:
        path = Path(self.get("paths.var_dir", "var"))
        if not path.is_absolute():
            path = PROJECT_ROOT / path
        path.mkdir(parents=True, exist_ok=True)
        return path


def _merge(base: dict, override: Mapping) -> dict:
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _env_overrides(environ: Mapping[str, str]) -> dict:
    result: dict = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        path = [p.lower() for p in name[len(ENV_PREFIX):].split("__") if p]
        if len(path) < 2:
            continue
        node = result
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = _parse_env_value(raw)
    return result


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _resolve_sqlite_url(url: str) -> str:
    """Make ``sqlite:///relative/path`` relative to the project root, creating its folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        path = PROJECT_ROOT / url[len(prefix):]
        path.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(path)
    return url


def load_config(path: str | os.PathLike | None = None,
                environ: Mapping[str, str] | None = None,
                overrides: Mapping | None = None) -> Config:
    """Load defaults, then ``path`` (or $RELAIS_CONFIG), then RELAIS_* variables, then ``overrides``."""
    environ = os.environ if environ is None else environ
    data = _read_toml(DEFAULT_FILE)
    extra = path or environ.get(ENV_PREFIX + "CONFIG")
    if extra:
        _merge(data, _read_toml(Path(extra)))
    _merge(data, _env_overrides(environ))
    if overrides:
        _merge(data, overrides)
    cfg = Config(data)
    cfg["database"]["url"] = _resolve_sqlite_url(cfg["database"]["url"])
    return cfg
