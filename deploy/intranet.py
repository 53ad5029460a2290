#!/usr/bin/env python3
"""Run the dashboard as an intranet deployment: N Streamlit replicas behind nginx.

    make intranet                      # = .venv/bin/python deploy/intranet.py
    python deploy/intranet.py --print-config   # render the nginx config and exit

In the foreground: starts INTRANET_REPLICAS replicas of ``streamlit run dashboard/serve.py``
on free loopback ports with ``--server.baseUrlPath dashboard``, waits until each answers
``/dashboard/_stcore/health``, renders ``deploy/nginx.conf.template`` into its own
directory (config, pid, logs, temp paths; never /etc/nginx) and runs nginx on
INTRANET_BIND:INTRANET_PORT. Ctrl-C or SIGTERM stops everything it started, by process id
(each child runs in its own process group). Works as root (nginx workers then run as
www-data, or nobody) and as a normal user. See deploy/README.md for the variables.

Standard library only: it runs with the app's own interpreter (.venv/bin/python).
"""

from __future__ import annotations

import argparse
import ctypes
import grp
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TEMPLATE = HERE / "nginx.conf.template"
ERROR_PAGE = HERE / "unavailable.html"
BASE_PATH = "dashboard"              # the app is served at /dashboard/
HEALTH_TIMEOUT_S = 90                # replicas start in parallel on a busy 2-core machine
STOP_TIMEOUT_S = 10
# One CSP source expression: 'self' / 'none', scheme://host[:port] (host may start with *.),
# a bare host, or a scheme ("https:"). Nothing that could end the header or the nginx string.
SOURCE = re.compile(r"^(?:'self'|'none'|[a-z][a-z0-9+.-]*:|"
                    r"(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[A-Za-z0-9.-]+(?::(?:\d{1,5}|\*))?)$")


def log(msg: str) -> None:
    print(f"intranet: {msg}", flush=True)


# ----------------------------------------------------------------------------- settings


@dataclass
class Settings:
    replicas: int
    port: int
    bind: str
    frame_ancestors: str
    htpasswd: Path | None
    nginx: str | None
    state_dir: Path | None
    restart_delay: float = 3.0

    @classmethod
    def from_env(cls, env=os.environ) -> "Settings":
        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = env.get(name, "").strip() or str(default)
            if not raw.isdigit() or not low <= int(raw) <= high:
                raise SystemExit(f"intranet: {name}={raw!r}: expected a whole number from {low} to {high}")
            return int(raw)

        ancestors = env.get("INTRANET_FRAME_ANCESTORS", "").split() or ["'self'"]
        bad = [a for a in ancestors if not SOURCE.match(a)]
        if bad:
            raise SystemExit(f"intranet: INTRANET_FRAME_ANCESTORS: not an origin: {' '.join(bad)!r} "
                             "(use space-separated origins such as https://intranet.example or 'self')")
        htpasswd = env.get("INTRANET_HTPASSWD", "").strip()
        if htpasswd and not Path(htpasswd).is_file():
            raise SystemExit(f"intranet: INTRANET_HTPASSWD={htpasswd!r} is not a file")
        bind = env.get("INTRANET_BIND", "").strip() or "127.0.0.1"
        if not re.fullmatch(r"[0-9.]+|\[[0-9a-fA-F:]+\]|localhost|\*", bind):
            raise SystemExit(f"intranet: INTRANET_BIND={bind!r}: expected an IP address")
        state = env.get("INTRANET_STATE_DIR", "").strip()
        return cls(
            replicas=integer("INTRANET_REPLICAS", 2, 1, 32),
            port=integer("INTRANET_PORT", 8080, 1, 65535),
            bind=bind,
            frame_ancestors=" ".join(ancestors),
            htpasswd=Path(htpasswd).resolve() if htpasswd else None,
            nginx=env.get("INTRANET_NGINX", "").strip() or None,
            state_dir=Path(state).resolve() if state else None,
            restart_delay=integer("INTRANET_RESTART_DELAY", 3, 0, 3600),
        )


def find_nginx(explicit: str | None) -> str:
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise SystemExit(f"intranet: INTRANET_NGINX={explicit!r} is not an executable")
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("intranet: no nginx found. Install Debian's nginx (as root: sh .ci/ensure-nginx, "
                     "or apt-get install nginx) or set INTRANET_NGINX to its path.")


def worker_user() -> tuple[str, str] | None:
    """As root, nginx workers drop to this user and group; otherwise they stay who we are."""
    if os.geteuid() != 0:
        return None
    for user in ("www-data", "nobody"):
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            continue
        return user, grp.getgrgid(entry.pw_gid).gr_name
    return "root", "root"  # a bare container with neither: nginx's workers stay root


def render(settings: Settings, state_dir: Path, worker_dir: Path, replica_ports: list[int],
           user: tuple[str, str] | None) -> str:
    """The nginx configuration for these replicas (pure: no files touched)."""
    # max_fails=3: one stray error does not move a replica's sessions elsewhere; a dead
    # replica refuses connections at once, so three tries cost nothing.
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in replica_ports)
    if settings.htpasswd:
        auth = ('        auth_basic "Dashboard";\n'
                f"        auth_basic_user_file {worker_dir}/htpasswd;")
    else:
        auth = "        # Basic auth: off (set INTRANET_HTPASSWD to a htpasswd file to turn it on)."
    listen = f"{settings.bind}:{settings.port}" if settings.bind != "*" else str(settings.port)
    values = {
        "USER_DIRECTIVE": f"user {user[0]} {user[1]};" if user else "# (not root: workers run as the current user)",
        "STATE_DIR": str(state_dir),
        "WORKER_DIR": str(worker_dir),
        "UPSTREAM_SERVERS": servers,
        "LISTEN": listen,
        "FRAME_ANCESTORS": settings.frame_ancestors,
        "AUTH_DIRECTIVES": auth,
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    leftover = re.findall(r"@@[A-Z_]+@@", text)
    assert not leftover, leftover
    return text


# ----------------------------------------------------------------------------- processes


def _set_parent_death_signal() -> None:
    """Child side (Linux): get SIGTERM if the runner dies without cleaning up (e.g. SIGKILL)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _proc_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (ppid, pgid, start time) for every process, read from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2:].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[19])
    return table


def family(pid: int) -> dict[int, str]:
    """The process, its descendants and its process group: pid -> start time (against reuse)."""
    table = _proc_table()
    found = {pid} if pid in table else set()
    changed = True
    while changed:
        changed = False
        for other, (ppid, pgid, _) in table.items():
            if other not in found and (ppid in found or pgid == pid):
                found.add(other)
                changed = True
    return {p: table[p][2] for p in found}


def alive(members: dict[int, str]) -> list[int]:
    table = _proc_table()
    out = []
    for pid, start in members.items():
        if pid in table and table[pid][2] == start:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                out.append(pid)
    return out


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    log_path: Path | None = None
    port: int | None = None
    # Descendants seen while it ran: kaleido's Chromium starts in a session of its own, so
    # after a crash of the replica it is found only through this list.
    known: dict[int, str] = field(default_factory=dict)

    def remember(self) -> None:
        if self.proc.poll() is None:
            self.known.update(family(self.proc.pid))

    def stop(self, sig: int = signal.SIGTERM) -> list[int]:
        """Signal the child's process group, wait, then kill what is left. Returns survivors."""
        members = {**self.known, **family(self.proc.pid)}
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline and (self.proc.poll() is None or alive(members)):
            time.sleep(0.1)
        for pid in alive(members):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)
        time.sleep(0.1)
        return alive(members)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_replica(index: int, port: int, logs: Path) -> Child:
    log_path = logs / f"replica-{index}.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/serve.py",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.baseUrlPath", BASE_PATH],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_set_parent_death_signal,
        )
    return Child(f"replica {index}", proc, log_path, port)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except (OSError, urllib.error.URLError, ValueError):
        return False


def tail(path: Path | None, n: int = 3000) -> str:
    if path is None or not path.exists():
        return ""
    return path.read_text(encoding="utf-8", errors="replace")[-n:]


# ----------------------------------------------------------------------------- the runner


class Runner:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.children: list[Child] = []
        self.stopping = False
        self.own_state_dir = settings.state_dir is None
        self.state_dir = settings.state_dir or Path(tempfile.mkdtemp(prefix="dashboard-intranet-"))
        # What nginx's workers read or write; when root they run as www-data, so this is a
        # fresh directory they can reach (INTRANET_STATE_DIR may sit under a private parent).
        self.worker_dir = Path(tempfile.mkdtemp(prefix="dashboard-intranet-workers-"))

    def _signal(self, signum, _frame) -> None:
        if not self.stopping:
            log(f"{signal.Signals(signum).name}: stopping")
        self.stopping = True

    def prepare_dirs(self, user: tuple[str, str] | None) -> None:
        (self.state_dir / "logs").mkdir(parents=True, exist_ok=True)
        for sub in ("html", "temp"):
            (self.worker_dir / sub).mkdir(exist_ok=True)
        shutil.copyfile(ERROR_PAGE, self.worker_dir / "html" / "unavailable.html")
        if self.settings.htpasswd:  # a snapshot the workers can read (restart to pick up changes)
            target = self.worker_dir / "htpasswd"
            shutil.copyfile(self.settings.htpasswd, target)
            os.chmod(target, 0o400)
            if user:
                os.chown(target, pwd.getpwnam(user[0]).pw_uid, grp.getgrnam(user[1]).gr_gid)
        if user:  # workers (www-data) must reach html/ and the temp paths nginx creates for them
            for path in (self.worker_dir, self.worker_dir / "html", self.worker_dir / "temp"):
                os.chmod(path, 0o755)
            os.chmod(self.worker_dir / "html" / "unavailable.html", 0o644)

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._signal)
        signal.signal(signal.SIGTERM, self._signal)
        signal.signal(signal.SIGHUP, self._signal)
        try:
            return self._run()
        finally:
            self.shutdown()

    def _run(self) -> int:
        s = self.settings
        nginx = find_nginx(s.nginx)
        user = worker_user()
        self.prepare_dirs(user)
        log(f"state, config and logs in {self.state_dir}")
        ports = []
        for i in range(1, s.replicas + 1):
            port = free_port()
            while port in ports:
                port = free_port()
            ports.append(port)
            child = start_replica(i, port, self.state_dir / "logs")
            self.children.append(child)
            log(f"replica {i}: pid {child.proc.pid} on 127.0.0.1:{port} (log {child.log_path})")
        if not self._wait_replicas():
            return 1

        conf = self.state_dir / "nginx.conf"
        conf.write_text(render(s, self.state_dir, self.worker_dir, ports, user), encoding="utf-8")
        errlog = self.state_dir / "logs" / "error.log"
        base = [nginx, "-p", str(self.state_dir), "-c", str(conf), "-e", str(errlog)]
        check = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            log(f"nginx rejected the configuration {conf}:\n{check.stderr.strip()}")
            return 1
        with open(self.state_dir / "logs" / "nginx.out", "ab") as out:
            proc = subprocess.Popen(base, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True, preexec_fn=_set_parent_death_signal)
        nginx_child = Child("nginx", proc, errlog)
        self.children.insert(0, nginx_child)  # stopped first
        host = "127.0.0.1" if s.bind in ("*", "0.0.0.0") else s.bind.strip("[]")
        url = f"http://{host if ':' not in host else f'[{host}]'}:{s.port}/{BASE_PATH}/"
        deadline = time.monotonic() + 20
        while not healthy(url + "_stcore/health"):
            if proc.poll() is not None or time.monotonic() > deadline or self.stopping:
                log(f"nginx did not start (exit {proc.poll()}):\n{tail(errlog)}")
                return 1
            time.sleep(0.2)
        self.url = url
        self._write_state(url, nginx_child)
        log(f"nginx: pid {proc.pid}, config {conf}")
        log(f"ready at {url} ({s.replicas} replica(s); frame-ancestors {s.frame_ancestors}; "
            f"basic auth {'on' if s.htpasswd else 'off'}). Ctrl-C stops everything.")
        return self._supervise(nginx_child)

    def _wait_replicas(self) -> bool:
        pending = {c.port: c for c in self.children}
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while pending:
            for port, child in list(pending.items()):
                if healthy(f"http://127.0.0.1:{port}/{BASE_PATH}/_stcore/health"):
                    log(f"{child.name}: healthy")
                    del pending[port]
                elif child.proc.poll() is not None:
                    log(f"{child.name} exited with {child.proc.returncode} before it was healthy:\n{tail(child.log_path)}")
                    return False
            if self.stopping:
                return False
            if pending and time.monotonic() > deadline:
                log(f"not healthy within {HEALTH_TIMEOUT_S} s: {', '.join(c.name for c in pending.values())}")
                return False
            time.sleep(0.2)
        return True

    def _write_state(self, url: str, nginx_child: Child) -> None:
        state = {
            "url": url,
            "runner_pid": os.getpid(),
            "nginx_pid": nginx_child.proc.pid,
            "replicas": [{"name": c.name, "pid": c.proc.pid, "port": c.port, "log": str(c.log_path)}
                         for c in self.children if c is not nginx_child],
            "access_log": str(self.state_dir / "logs" / "access.log"),
            "error_log": str(self.state_dir / "logs" / "error.log"),
        }
        tmp = self.state_dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.replace(tmp, self.state_dir / "state.json")

    def _supervise(self, nginx_child: Child) -> int:
        """Until a signal: nginx must live; a replica that exits is restarted on its port after
        INTRANET_RESTART_DELAY seconds (meanwhile nginx sends its sessions to the others, or
        shows the error page when none is left)."""
        restart_at: dict[str, float] = {}
        next_census = 0.0
        while not self.stopping:
            if time.monotonic() >= next_census:  # note every replica's descendants now and then
                for child in self.children:
                    child.remember()
                next_census = time.monotonic() + 5
            if nginx_child.proc.poll() is not None:
                log(f"nginx exited with {nginx_child.proc.returncode}:\n{tail(nginx_child.log_path)}")
                return 1
            for pos, child in enumerate(self.children):
                if child is nginx_child or child.proc.poll() is None:
                    continue
                if child.name not in restart_at:
                    restart_at[child.name] = time.monotonic() + self.settings.restart_delay
                    log(f"{child.name} (pid {child.proc.pid}, port {child.port}) exited with "
                        f"{child.proc.returncode}; nginx sends its sessions to the other replica(s); "
                        f"restart in {self.settings.restart_delay:g} s")
                    child.stop()  # whatever it started (its process group) goes with it
                elif time.monotonic() >= restart_at[child.name]:
                    del restart_at[child.name]
                    index = int(child.name.split()[-1])
                    fresh = start_replica(index, child.port, self.state_dir / "logs")
                    self.children[pos] = fresh
                    log(f"{fresh.name}: restarted, pid {fresh.proc.pid} on 127.0.0.1:{fresh.port}")
                    self._write_state(self.url, nginx_child)
            time.sleep(0.5)
        return 0

    def shutdown(self) -> None:
        self.stopping = True
        survivors = {}
        for child in self.children:
            left = child.stop()
            if left:
                survivors[child.name] = left
        self.children.clear()
        if survivors:
            log(f"processes that would not stop: {survivors}")
        else:
            log("stopped")
        shutil.rmtree(self.worker_dir, ignore_errors=True)
        if self.own_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--print-config", action="store_true",
                        help="print the nginx configuration for example replica ports and exit")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.print_config:
        state_dir = settings.state_dir or Path("/tmp/dashboard-intranet-EXAMPLE")
        ports = [8501 + i for i in range(settings.replicas)]
        print(render(settings, state_dir, state_dir / "workers", ports, worker_user()))
        return 0
    return Runner(settings).run()


if __name__ == "__main__":
    sys.exit(main())
