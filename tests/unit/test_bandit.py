"""Static security checks (bandit, in `make lint`): no finding left, each exception named and justified inline."""

import json
import re
import subprocess  # nosec B404 # runs bandit of this virtualenv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOSEC = re.compile(r"#\s*nosec\b(?P<rest>.*)$")
# A justified exception: `# nosec B603 # why`, test ids first, then the reason after a second `#`.
JUSTIFIED = re.compile(r"^\s+(?P<ids>B\d{3}(?:[ ,]+B\d{3})*)\s+#\s*\S.{9,}$")


def test_bandit_finds_nothing_with_the_project_settings():
    done = subprocess.run(  # nosec B603 # this interpreter, fixed arguments
        [sys.executable, "-m", "bandit", "--quiet", "--configfile", "pyproject.toml", "--recursive", ".", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(done.stdout)
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert findings == []
    assert done.returncode == 0, done.stderr
    assert "bandit" in (ROOT / "Makefile").read_text().split("lint:")[1].split("\n\n")[0]


def test_every_nosec_names_its_checks_and_says_why():
    unjustified = []
    for path in ROOT.rglob("*.py"):
        if {".venv", "node_modules"} & set(path.relative_to(ROOT).parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = NOSEC.search(line)
            if match and not JUSTIFIED.match(match.group("rest")):
                unjustified.append(f"{path.relative_to(ROOT)}:{number}")
    assert unjustified == []
