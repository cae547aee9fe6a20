"""A `ddb-warmer` subcommand written in a module of its own, added to the command line the one way: a line of
help, a description, and an epilog of examples then exit codes (part of the interface), laid out as written."""

from __future__ import annotations

import argparse


def add_subcommand(
    commands, name: str, summary: str, description: str, examples: list[str], exit_codes: dict[int, str]
) -> argparse.ArgumentParser:
    """The parser of subcommand `name`, its `--help` ending with its examples and its exit codes."""
    epilog = "example:\n" if len(examples) == 1 else "examples:\n"
    epilog += "".join(f"  {example}\n" for example in examples)
    epilog += "\nexit codes:\n" + "".join(f"  {code}  {meaning}\n" for code, meaning in exit_codes.items())
    return commands.add_parser(
        name, help=summary, description=description, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )
