# One AWS account's bootstrap, applied by an admin of that account (docs/adopting.md:
# Adopting it). It serves every environment whose env.hcl names this account.
locals {
  environment    = "bootstrap"
  aws_account_id = "234567890123"
}
