variable "bucket" {
  description = "The state bucket's name, for example \"ddb-warmer-tfstate-123456789012-eu-west-1\" (the root terragrunt.hcl's naming)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket))
    error_message = "bucket must be 3 to 63 lower-case letters, digits, '.' and '-' (S3 naming rules)."
  }
}

variable "account_id" {
  description = "The AWS account that must own the bucket: every setting is sent with it as the expected bucket owner, so a bucket of the same name in another account is never configured or used."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be the 12-digit AWS account ID, for example \"123456789012\"."
  }
}

variable "allowed_principal_arns" {
  description = "The only principals the bucket policy admits (role or user ARNs, matched on aws:PrincipalArn): the CI roles and the admins who apply the bootstrap. Everyone else is denied, even with an IAM policy that allows S3."
  type        = list(string)

  validation {
    condition     = length(var.allowed_principal_arns) > 0 && alltrue([for arn in var.allowed_principal_arns : can(regex("^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:", arn))])
    error_message = "allowed_principal_arns needs at least one IAM ARN, for example \"arn:aws:iam::123456789012:role/admin\"."
  }
}

variable "tags" {
  description = "Tags added to the bucket."
  type        = map(string)
  default     = {}
}
