"""The wheel carries rules/ and reports/: an installed auditor works outside the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_installs_and_runs_the_demo_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("auditor-*.whl"))
    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # Dependencies come from the test environment; auditor itself only from the wheel.
    purelib = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    (purelib / "_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = subprocess.check_output(
        [str(python), "-c", "import auditor; print(auditor.__file__)"], cwd=outside, text=True
    )
    assert str(env_dir) in where, where
    proc = subprocess.run(
        [str(env_dir / "bin" / "auditor"), "demo", "--format", "json"],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    reference = next(r for r in json.loads(proc.stdout)["results"] if r["id"] == "data.gouv.fr")
    assert reference["score"] == 73.25
    methodology = subprocess.run(
        [str(env_dir / "bin" / "auditor"), "methodology"],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Officialness" in methodology.stdout
