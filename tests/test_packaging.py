"""`pip install .` (not editable) works: the wheel carries the templates and the shared
Terraform modules, and renders the same repository as the source checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_SPEC, REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("system_builder_hub-*.whl")
    return built


def test_the_wheel_carries_the_template_tree(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    template_files = [
        path.relative_to(REPO_ROOT / "template-repo").as_posix()
        for path in (REPO_ROOT / "template-repo").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]

    assert template_files
    for relative in template_files:
        assert f"renderers/_bundled/template-repo/{relative}" in names


def test_the_wheel_carries_the_price_table_cost_estimates_read(wheel: Path) -> None:
    assert "renderers/data/aws_prices.json" in zipfile.ZipFile(wheel).namelist()


def test_an_installed_wheel_renders_what_the_checkout_renders(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    script = (
        "import hashlib, renderers, sys\n"
        "from renderers.spec import load_spec\n"
        "from renderers.complete import complete_defaults\n"
        "from renderers.render import render\n"
        f"assert renderers.__file__.startswith({str(site)!r}), renderers.__file__\n"
        f"files = render(complete_defaults(load_spec(open({str(EXAMPLE_SPEC)!r}).read())))\n"
        "for path, file in files.items(): print(path, oct(file.mode), hashlib.sha256(file.content).hexdigest())\n"
    )
    installed = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(site)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    checkout = subprocess.run(
        [
            sys.executable,
            "-c",
            script.replace(
                f"assert renderers.__file__.startswith({str(site)!r}), renderers.__file__\n", ""
            ),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )

    assert installed.returncode == 0, installed.stderr
    assert checkout.returncode == 0, checkout.stderr
    assert installed.stdout == checkout.stdout
    assert installed.stdout.count("\n") > 10
