"""Build the Lambda package: a deterministic zip of lambda_function/.

    python3 ddb_warmer/build/package.py --output lambda_function.zip

Same source, same bytes, on any machine: entries sorted, fixed timestamps and
permissions, and stored (not deflated) so that no zlib version can change a
byte. The package holds a few small source files, so compression would save
little. Standard library only: Terragrunt runs it as a hook before Terraform,
outside any virtual environment.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import sys
import zipfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "lambda_function"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}


def package_files(source: Path) -> list[Path]:
    return sorted(
        path
        for path in source.rglob("*")
        if path.is_file() and not SKIPPED_PARTS.intersection(path.parts) and path.suffix != ".pyc"
    )


def build_zip(source: Path = SOURCE) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in package_files(source):
            # Keep the package directory, so the handler is lambda_function.main.lambda_handler.
            info = zipfile.ZipInfo(f"{source.name}/{path.relative_to(source).as_posix()}", FIXED_TIME)
            info.create_system = 3  # Unix, whatever builds it
            info.external_attr = 0o100644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def base64_sha256(data: bytes) -> str:
    """The hash Terraform's filebase64sha256() gives, as source_code_hash."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def write_if_changed(output: Path, data: bytes) -> bool:
    if output.exists() and output.read_bytes() == data:
        return False
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.write_bytes(data)
    partial.replace(output)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="where to write the zip")
    parser.add_argument("--source", type=Path, default=SOURCE, help="the handler package directory")
    args = parser.parse_args(argv)
    data = build_zip(args.source)
    changed = write_if_changed(args.output, data)
    print(
        f"{args.output}: {len(data)} bytes, sha256 {base64_sha256(data)}{'' if changed else ' (unchanged)'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
