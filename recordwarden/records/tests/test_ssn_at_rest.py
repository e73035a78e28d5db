"""SSNs are unreadable in the database file itself, not only through the ORM.

A separate process synthesizes a small state into a real SQLite file (the test database
is in memory), then this test searches the file's bytes for every generated SSN."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from recordwarden.records.synthetic import generate_state

WORKERS, SEED = 300, 21


def _synthesize_into(db: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "RECORDWARDEN_VAR_DIR": str(tmp_path / "var"),
        "DATA_KEY_FILE": str(tmp_path / "data.key"),
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE
        ),
    }
    env.pop("DEBUG", None)
    manage = Path(settings.BASE_DIR) / "manage.py"
    for args in (
        ["migrate", "-v0"],
        ["synthesize_state", "--workers", str(WORKERS), "--seed", str(SEED)],
    ):
        done = subprocess.run(
            [sys.executable, str(manage), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]


def test_no_ssn_appears_anywhere_in_the_sqlite_file(tmp_path):
    db = tmp_path / "state.sqlite3"
    _synthesize_into(db, tmp_path)
    raw = b"".join(
        p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("state.sqlite3")
    )
    people = generate_state(WORKERS, SEED).people
    # The file does hold the state: names are there in clear (they are not secret).
    assert sum(name.encode() in raw for name in people.last.tolist()) > WORKERS * 0.9
    for ssn in people.ssn.tolist():
        dashed = f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}"
        assert ssn.encode() not in raw
        assert dashed.encode() not in raw
