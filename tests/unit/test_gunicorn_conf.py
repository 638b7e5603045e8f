"""The web server's access log, as the Procfile starts it: no query string, no referring address."""

from __future__ import annotations

import re
import shlex
from datetime import timedelta
from pathlib import Path

from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parents[2]


class _Response:
    status = "200 OK"
    sent = 2048
    headers = ()


def _procfile_config(monkeypatch):
    """gunicorn's settings for the Procfile's web command, read as gunicorn reads them."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    command = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", line.removeprefix("web:"))
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("sys.argv", ["gunicorn", *shlex.split(command)[1:]])
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def test_the_access_log_keeps_no_query_string_nor_referrer(monkeypatch, tmp_path):
    cfg = _procfile_config(monkeypatch)
    assert cfg.accesslog == "-"
    cfg.set("accesslog", str(tmp_path / "access.log"))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/apprenants/?q=Dupont+06+12+34+56+78",
        "PATH_INFO": "/apprenants/",
        "QUERY_STRING": "q=Dupont+06+12+34+56+78",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "http://127.0.0.1:5000/apprenants/?q=Dupont",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    Logger(cfg).access(_Response(), [], environ, timedelta(milliseconds=12))
    line = (tmp_path / "access.log").read_text()
    assert '"GET /apprenants/ HTTP/1.1" 200 2048' in line
    assert "Dupont" not in line and "q=" not in line


def test_a_worker_freezes_the_loaded_application_and_collects_less_often(monkeypatch):
    import gc

    cfg = _procfile_config(monkeypatch)
    before = gc.get_threshold()
    assert before[0] < 10_000
    try:
        cfg.post_worker_init(object())
        assert gc.get_threshold()[0] >= 10_000
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
