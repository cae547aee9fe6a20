output "plan_role_arn" {
  description = "Set as the repository variable AWS_PLAN_ROLE_ARN (pull-request plans, drift)."
  value       = aws_iam_role.ci["plan"].arn
}

output "apply_role_arn" {
  description = "Set as the repository variable AWS_APPLY_ROLE_ARN (apply on merge)."
  value       = aws_iam_role.ci["apply"].arn
}

output "oidc_provider_arn" {
  description = "GitHub's OIDC identity provider in this account."
  value       = local.provider_arn
}
