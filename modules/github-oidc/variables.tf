variable "name_prefix" {
  description = "Prefix of the two roles' names, for example \"ddb-warmer-bootstrap\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,38}[A-Za-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2 to 40 characters of letters, digits and '-', starting with a letter."
  }
}

variable "github_repository" {
  description = "The repository whose workflows may assume the roles, as \"owner/name\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be \"owner/name\" with no wildcard, for example \"acme/ddb-warmer\"."
  }
}

variable "environments" {
  description = "GitHub Environments whose deployment jobs may assume the apply role (the workflows' environment names)."
  type        = list(string)
  default     = ["dev", "prod"]
}

variable "state_bucket" {
  description = "The Terraform state bucket: both roles read it and write lock files; the apply role writes state."
  type        = string
}

variable "warmer_name_prefix" {
  description = "Prefix of every warmer resource name the apply role may manage (the warmer module's name_prefix values start with it)."
  type        = string
  default     = "ddb-warmer-"
}

variable "create_oidc_provider" {
  description = "Create GitHub's OIDC identity provider. false when the account already has one (it can exist once per account)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every taggable resource."
  type        = map(string)
  default     = {}
}
