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


def fermer(journal: Logger) -> None:
    """Close the log files ``journal`` opened (gunicorn closes them only when the process ends)."""
    for handler in journal.access_log.handlers + journal.error_log.handlers:
        handler.close()


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
    journal = Logger(cfg)
    journal.access(_Response(), [], environ, timedelta(milliseconds=12))
    fermer(journal)
    line = (tmp_path / "access.log").read_text()
    assert '"GET /apprenants/ HTTP/1.1" 200 2048' in line
    assert "Dupont" not in line and "q=" not in line


def test_a_public_verification_leaves_no_visitor_address_in_the_access_log(monkeypatch, tmp_path):
    """Issue 11: whoever checks an attestation is journaled without their address (the rate limiter alone holds it,
    in memory); other pages keep it in the access log."""
    cfg = _procfile_config(monkeypatch)
    cfg.set("accesslog", str(tmp_path / "access.log"))
    journal = cfg.logger_class(cfg)
    for chemin in ("/verifier/7KQ2-XM9D-R4TB", "/verifier", "/connexion"):
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": chemin,
            "PATH_INFO": chemin,
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "203.0.113.7",
            "HTTP_USER_AGENT": "Mozilla/5.0",
        }
        journal.access(_Response(), [], environ, timedelta(milliseconds=12))
    fermer(journal)
    verification, formulaire, connexion = (tmp_path / "access.log").read_text().splitlines()
    assert '"GET /verifier/7KQ2-XM9D-R4TB HTTP/1.1" 200' in verification
    assert "203.0.113" not in verification and "203.0.113" not in formulaire
    assert verification.startswith("- ") and connexion.startswith("203.0.113.7 ")


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
