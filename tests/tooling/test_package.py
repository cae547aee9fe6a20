"""The Lambda package: same source, same bytes, wherever and whenever it is built."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from io import BytesIO

from ddb_warmer.build import package
from ddb_warmer.build.toolenv import ROOT


def test_two_builds_are_byte_identical_even_with_different_file_times(tmp_path):
    first = package.build_zip()
    copy = tmp_path / "lambda_function"
    shutil.copytree(package.SOURCE, copy)
    for path in copy.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
        path.chmod(0o755 if path.is_dir() else 0o600)
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "main.cpython-313.pyc").write_bytes(b"stale bytecode")

    assert package.build_zip(copy) == first


def test_the_script_writes_the_same_bytes_as_the_library_and_leaves_an_unchanged_file_alone(tmp_path):
    output = tmp_path / "lambda_function.zip"
    command = [sys.executable, str(ROOT / "ddb_warmer" / "build" / "package.py"), "--output", str(output)]
    subprocess.run(command, check=True, capture_output=True, env={"PATH": os.environ["PATH"]})
    first_mtime = output.stat().st_mtime_ns
    rerun = subprocess.run(command, check=True, capture_output=True, text=True, env={"PATH": os.environ["PATH"]})

    assert output.read_bytes() == package.build_zip()
    assert "(unchanged)" in rerun.stderr
    assert output.stat().st_mtime_ns == first_mtime


def test_the_package_holds_the_handler_package_and_nothing_else():
    names = zipfile.ZipFile(BytesIO(package.build_zip())).namelist()

    assert "lambda_function/main.py" in names
    assert all(name.startswith("lambda_function/") and name.endswith(".py") for name in names)
    assert names == sorted(names)
