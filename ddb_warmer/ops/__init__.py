"""What an operator runs against an AWS account: `ddb-warmer doctor`, `ddb-warmer estimate`, their prices.

May import `ddb_warmer.build` (paths of this checkout) and `lambda_function` (the
handler's own lookups, so doctor sees tables the way the warmer does); never
`local` or `ci`.
"""
