output "plan_role_arn" {
  description = "Set as the repository variable AWS_PLAN_ROLE_ARN (pull-request and merge plans, drift, doctor)."
  value       = aws_iam_role.ci["plan"].arn
}

output "apply_role_arns" {
  description = "Per environment: set as that GitHub Environment's variable AWS_APPLY_ROLE_ARN."
  value       = { for environment in var.environments : environment => aws_iam_role.ci["apply-${environment}"].arn }
}

output "github_variables" {
  description = "What to set in GitHub: repository variables, and each environment's variables (README: How changes reach AWS)."
  value = {
    repository = { AWS_PLAN_ROLE_ARN = aws_iam_role.ci["plan"].arn }
    environments = {
      for environment in var.environments : environment => { AWS_APPLY_ROLE_ARN = aws_iam_role.ci["apply-${environment}"].arn }
    }
  }
}

output "oidc_provider_arn" {
  description = "GitHub's OIDC identity provider in this account."
  value       = local.provider_arn
}
