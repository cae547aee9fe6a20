"""Tooling around the DynamoDB warmer, one subpackage per audience.

- `ops`: what an operator runs against an account (the `ddb-warmer` command).
- `local`: the local AWS emulator, seeding and the demo.
- `ci`: what the GitHub workflows run.
- `build`: bootstrap, packaging and the tool runners every other package may use.

The import contract in pyproject.toml (`lint-imports`) keeps these layers and
`lambda_function` (which imports nothing of `ddb_warmer`) apart.
"""
