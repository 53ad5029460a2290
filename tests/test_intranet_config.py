"""deploy/intranet.py without nginx: settings from the environment and the rendered config."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def runner():
    spec = importlib.util.spec_from_file_location("intranet_runner", REPO / "deploy" / "intranet.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def render(runner, env: dict, ports=(9001, 9002), user=None) -> str:
    settings = runner.Settings.from_env(env)
    return runner.render(settings, Path("/state"), Path("/workers"), list(ports), user)


def test_defaults(runner):
    s = runner.Settings.from_env({})
    assert (s.replicas, s.port, s.bind, s.frame_ancestors, s.htpasswd) == (2, 8080, "127.0.0.1", "'self'", None)
    conf = render(runner, {})
    assert "listen 127.0.0.1:8080;" in conf
    assert "server 127.0.0.1:9001 max_fails=3" in conf and "server 127.0.0.1:9002 max_fails=3" in conf
    assert "hash $route_key consistent;" in conf
    assert "add_header Content-Security-Policy \"frame-ancestors 'self'\" always;" in conf
    assert 'proxy_set_header Authorization "";' in conf
    assert not re.search(r'^\s*auth_basic "', conf, re.M) and not re.search(r"^user ", conf, re.M)
    directives = "\n".join(line for line in conf.splitlines() if not line.lstrip().startswith("#"))
    assert "/etc/nginx" not in directives and "/var/" not in directives and "@@" not in conf


def test_frame_ancestors_auth_and_user(runner, tmp_path):
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text("a:{PLAIN}b\n")
    conf = render(runner, {"INTRANET_FRAME_ANCESTORS": "'self'  https://intranet.example http://127.0.0.1:8600",
                           "INTRANET_HTPASSWD": str(htpasswd), "INTRANET_PORT": "9000"}, user=("www-data", "www-data"))
    assert "frame-ancestors 'self' https://intranet.example http://127.0.0.1:8600\"" in conf
    assert 'auth_basic "Dashboard";' in conf and "auth_basic_user_file /workers/htpasswd;" in conf
    assert conf.lstrip().split("\n")[0].startswith("#") and "\nuser www-data www-data;" in conf
    assert "listen 127.0.0.1:9000;" in conf


@pytest.mark.parametrize("env", [
    {"INTRANET_FRAME_ANCESTORS": "https://ok.example\"; add_header X 1"},
    {"INTRANET_FRAME_ANCESTORS": "https://ok.example;"},
    {"INTRANET_FRAME_ANCESTORS": "$host"},
    {"INTRANET_REPLICAS": "0"}, {"INTRANET_REPLICAS": "two"}, {"INTRANET_PORT": "70000"},
    {"INTRANET_HTPASSWD": "/nonexistent/htpasswd"}, {"INTRANET_BIND": "1.2.3.4; evil"},
])
def test_bad_settings_are_refused_with_a_message(runner, env):
    with pytest.raises(SystemExit) as exc:
        runner.Settings.from_env(env)
    assert str(exc.value).startswith("intranet: ")
