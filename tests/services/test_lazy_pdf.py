"""The scheduler process never loads the PDF stack: its memory budget (bench/entrainements.py, DESIGN.md
section 8) has no room for reportlab, segno and Pillow (about 25 MB resident). See core/pdf.py."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("reportlab", "segno", "PIL", "pypdf", "openpyxl", "odf", "cryptography")

SCRIPT = f"""
import json, sys
from app import create_app
import scheduler
from extensions import db

app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": sys.argv[1], "SECRET_KEY": "x"}})
with app.app_context():
    db.create_all()
scheduler.alertes_quotidiennes(app)
for nom in ("reserver", "rappeler", "relancer"):
    scheduler._entrainements(app, nom)
scheduler.envoyer_messages(app)
scheduler.conservation(app)
scheduler.comptes_inactifs(app)
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))))
"""


def test_the_scheduler_app_and_its_sweeps_load_no_pdf_library(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
