output "plan_role_arn" {
  description = "The plan role (pull-request and merge plans, drift, doctor). The workflows find it by its name in the environment's account (ddb_warmer/ci/roles.py)."
  value       = aws_iam_role.ci["plan"].arn
}

output "apply_role_arns" {
  description = "Per environment: its apply role, found by the workflows by its name in the environment's account."
  value       = { for environment in var.environments : environment => aws_iam_role.ci["apply-${environment}"].arn }
}

output "oidc_provider_arn" {
  description = "GitHub's OIDC identity provider in this account."
  value       = local.provider_arn
}

output "permissions_boundary_arn" {
  description = "The permissions boundary every warmer role must carry: the warmer module's permissions_boundary input."
  value       = aws_iam_policy.boundary.arn
}
