# What every environment's warmer unit has in common: the module, and the
# package build that runs before Terraform. Units include this and the root.

terraform {
  source = "${get_repo_root()}/modules//dynamodb-warmer"

  # Build the Lambda zip into Terraform's working directory, so that the
  # module sees it at a relative path: the plan and the state then hold the
  # same `filename` on every machine, and the zip's bytes (and hash) depend on
  # the source alone.
  before_hook "package_lambda" {
    commands = ["init", "plan", "apply", "destroy", "refresh", "import", "console", "validate"]
    execute  = ["python3", "${get_repo_root()}/ddb_warmer/build/package.py", "--output", "lambda_function.zip"]
  }
}

locals {
  account_id = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals.aws_account_id
}

inputs = {
  package_path = "lambda_function.zip"
  # The account bootstrap's permissions boundary (modules/github-oidc, output
  # permissions_boundary_arn): CI's apply roles create no role without it.
  permissions_boundary = "arn:aws:iam::${local.account_id}:policy/ddb-warmer-bootstrap-warmer-boundary"
}
