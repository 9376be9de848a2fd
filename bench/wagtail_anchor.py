"""Install the Wagtail anchor on demand: a throwaway virtualenv in bench/.wagtail-venv (git-ignored)
with Wagtail (bench/wagtail/requirements.txt), gunicorn, psycopg and the Django version Monitor
CMS runs on. Never a dependency of Monitor CMS itself.

    .venv/bin/python bench/wagtail_anchor.py        # prints the anchor's python, or why not

ensure() returns (python, None) when the anchor is usable, (None, reason) when it is not (PyPI
unreachable, say), so `make bench` reports the anchor as skipped and goes on.
"""

import subprocess
import sys
import venv
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
VENV = HERE / ".wagtail-venv"
REQUIREMENTS = HERE / "wagtail" / "requirements.txt"
PYTHON = VENV / "bin" / "python"
PIP_TIMEOUT = 900


def installed_version():
    if not PYTHON.exists():
        return None
    out = subprocess.run(
        [
            str(PYTHON),
            "-c",
            "import django, wagtail; print(wagtail.__version__, django.__version__)",
        ],
        capture_output=True,
        text=True,
    )
    return out.stdout.split() if out.returncode == 0 else None


def wanted_version():
    for line in REQUIREMENTS.read_text().splitlines():
        if line.startswith("wagtail=="):
            return line.split("==", 1)[1].strip()
    raise SystemExit(f"{REQUIREMENTS} pins no wagtail version")


def ensure():
    wanted = [wanted_version(), django.__version__]
    if installed_version() == wanted:
        return str(PYTHON), None
    if not PYTHON.exists():
        if VENV.is_symlink():  # a link to another checkout's anchor that is not there
            VENV.unlink()
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    try:
        done = subprocess.run(
            [
                str(PYTHON),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(REQUIREMENTS),
                f"Django=={django.__version__}",
            ],
            capture_output=True,
            text=True,
            timeout=PIP_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return None, f"pip install of Wagtail {wanted[0]} took over {PIP_TIMEOUT} s"
    if done.returncode != 0 or installed_version() != wanted:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"pip could not install Wagtail {wanted[0]} (is PyPI reachable?): {last}"
    return str(PYTHON), None


if __name__ == "__main__":
    python, reason = ensure()
    print(python or f"Wagtail anchor unavailable: {reason}")
    sys.exit(0 if python else 1)
