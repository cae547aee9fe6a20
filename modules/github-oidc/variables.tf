variable "name_prefix" {
  description = "Prefix of the roles' names, for example \"ddb-warmer-bootstrap\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,38}[A-Za-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2 to 40 characters of letters, digits and '-', starting with a letter."
  }
}

variable "github_repository" {
  description = "The repository whose workflows may assume the roles, as \"owner/name\". No default: a forgotten value must not trust someone else's repository."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be \"owner/name\" with no wildcard: the repository that holds this code, for example \"my-org/ddb-warmer\"."
  }
  validation {
    condition     = lower(var.github_repository) != "acme/ddb-warmer"
    error_message = "github_repository is the placeholder \"acme/ddb-warmer\", a repository that is not yours: set it to yours (DDB_WARMER_GITHUB_REPOSITORY=owner/name for live/_bootstrap)."
  }
}

variable "github_repository_ids" {
  description = "The owner's and the repository's numeric ids (`gh api repos/OWNER/NAME --jq '.owner.id, .id'`). The subjects then carry them (GitHub's immutable format \"repo:OWNER@ID/REPO@ID:...\"): a deleted and re-created repository or owner of the same name is not trusted. Required unless name_based_subjects is true."
  type = object({
    owner      = number
    repository = number
  })
  default = null
}

variable "environments" {
  description = "GitHub Environments (the workflows' environment names, folders of live/): one apply role each, trusted only by that environment's deployment jobs."
  type        = list(string)

  validation {
    condition     = alltrue([for e in var.environments : can(regex("^[a-z][a-z0-9-]*$", e))])
    error_message = "environments must be lower-case names like \"dev\" (they become role names and state prefixes)."
  }
  validation {
    # An apply role manages the names that start with "<prefix><environment>-":
    # dev's would also manage every name of an environment "dev-eu".
    condition = alltrue([for a in var.environments : alltrue([
      for b in var.environments : a == b || !startswith(b, "${a}-")
    ])])
    error_message = "An environment's name must not start with another's name and a '-' (${join(", ", flatten([for a in var.environments : [for b in var.environments : "${b} starts with ${a}-" if a != b && startswith(b, "${a}-")]]))}): the first one's apply role would manage the second one's resources. Rename it so that neither starts with the other, for example \"eu-dev\" instead of \"dev-eu\"."
  }
}

variable "state_buckets" {
  description = "The Terraform state buckets (one per region): every role reads them; an apply role writes only its environment's keys (\"live/<environment>/...\")."
  type        = list(string)
}

variable "warmer_name_prefix" {
  description = "Prefix of every warmer resource name: an environment's apply role manages only names starting with \"<prefix><environment>-\" (the warmer module's name_prefix)."
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

variable "name_based_subjects" {
  description = "Trust the name-based subject \"repo:OWNER/REPO:...\" instead of the ids (github_repository_ids), for repositories whose tokens still carry that format. Anyone who later owns that name is then trusted too."
  type        = bool
  default     = false
}

variable "alarm_topic_arns" {
  description = "Per environment, existing SNS topics its alarms may notify (the warmer module's notifications.topic_arn) besides the topic the module creates: an apply role may point alarms at nothing else."
  type        = map(list(string))
  default     = {}

  validation {
    condition = alltrue(flatten([for topics in values(var.alarm_topic_arns) : [
      for topic in topics : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", topic))
    ]]))
    error_message = "alarm_topic_arns must list whole SNS topic ARNs, for example { prod = [\"arn:aws:sns:eu-west-1:123456789012:oncall\"] }, with no wildcard."
  }
}
