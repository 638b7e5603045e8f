"""HTTP side of the page benchmark: a browser-like client with its cookie jar, signing in through the login
form, and gunicorn started as the Procfile starts it (its own process group)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess  # nosec B404 # runs this project's own commands with argument lists, never a shell
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from bench.common import (
    ROOT,
    BenchError,
    tool,
)

HOST = "127.0.0.1"
EMAIL = "mediatrice@demo.local"
DIRECTION_EMAIL = "direction@demo.local"  # demo.DEMO_ACCOUNTS: the demo structure's director
COORDINATION_EMAIL = "coordination@demo.local"  # demo.DEMO_COORDINATION: the demo network's coordination
CSRF_INPUT = re.compile(r"<input[^>]*\bname=\"csrf_token\"[^>]*>")
INPUT_VALUE = re.compile(r"\bvalue=\"([^\"]*)\"")
SERVER_TROUBLE = re.compile(r"\[(?:ERROR|CRITICAL)\]|WORKER TIMEOUT|Traceback")


class Client:
    """One browser: its own connection and cookie jar. gunicorn's sync workers close the connection after
    each response, so every request opens a new TCP connection (http.client reconnects by itself)."""

    def __init__(self, port: int, timeout: float) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""  # nosec B105 # a CSRF token read once signed in, for the POSTed pages; no password

    def fetch(self, target: str) -> tuple[int, http.client.HTTPMessage, str]:
        """GET a page, or POST it for a target written ``POST <path>?<form>`` (see :func:`as_request`)."""
        method, path, form = as_request(target)
        return self.request(method, path, None if form is None else {**form, "csrf_token": self.csrf_token})

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, http.client.HTTPMessage, str]:
        headers = {"Accept": "text/html", "User-Agent": "ateliers-bench"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or ():
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value
        return response.status, response.headers, data.decode("utf-8", "replace")

    def close(self) -> None:
        self.connection.close()


def as_request(target: str) -> tuple[str, str, dict | None]:
    """``("GET", path, None)``, or ``("POST", path, form)`` for a target written ``POST <path>?<form>``."""
    if not target.startswith("POST "):
        return "GET", target, None
    path, _, body = target.removeprefix("POST ").partition("?")
    return "POST", path, dict(parse_qsl(body))


def csrf_token(html: str) -> str:
    tag = CSRF_INPUT.search(html)
    value = INPUT_VALUE.search(tag.group(0)) if tag else None
    if value is None:
        raise BenchError("no csrf_token hidden input on /connexion")
    return value.group(1)


def sign_in(client: Client, password: str, email: str = EMAIL) -> None:
    """Sign in through the login form as the demo account ``email`` (the mediator unless told), as a browser
    does."""
    status, _, html = client.request("GET", "/connexion")
    if status != 200:
        raise BenchError(f"GET /connexion answered {status}")
    form = {"csrf_token": csrf_token(html), "email": email, "password": password}
    status, headers, html = client.request("POST", "/connexion", form)
    location = urlsplit(headers.get("Location", "")).path
    if status != 302 or location.startswith("/connexion"):
        raise BenchError(f"sign-in as {email} failed: {status} {location or html[:300]!r}")
    status, _, html = client.request("GET", "/")
    if status != 200:
        raise BenchError(f"signed in, but / answered {status}")
    client.csrf_token = csrf_token(html)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn as the Procfile starts it, in its own process group so that stopping it stops the workers."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.env, self.workers, self.log_path = env, workers, log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        command = [
            *tool("gunicorn"),
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers),
            "app:create_app()",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # nosec B603 # this virtualenv's gunicorn serving this app, no shell
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with status {self.process.returncode}:\n{self.log_tail()}")
            connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass  # not listening yet
            finally:
                connection.close()
            time.sleep(0.2)
        raise BenchError(f"/healthz did not answer 200 within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the process group (graceful), SIGKILL after 15 s; then make sure no worker is left."""
        if self.process is None:
            return
        group = self.process.pid  # start_new_session: the master leads its own group
        try:
            if self.process.poll() is None:
                os.killpg(group, signal.SIGTERM)
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(group, signal.SIGKILL)
                    self.process.wait(timeout=5)
            os.killpg(group, signal.SIGKILL)  # a worker that outlived its master
        except ProcessLookupError:
            pass
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def trouble(self) -> list[str]:
        """Errors, worker timeouts and tracebacks gunicorn logged."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        return [line for line in text.splitlines() if SERVER_TROUBLE.search(line)]
