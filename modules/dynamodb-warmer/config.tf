# Where the function's configuration (the Lambda contract's WARMER_CONFIG JSON)
# lives. Lambda caps all of a function's environment variables at 4 KB in total
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html),
# about 100 explicit table names. A small configuration stays in WARMER_CONFIG,
# where a reviewer reads it in the plan and the function needs no other call.
# A larger one goes to SSM Parameter Store, split into standard parameters of at
# most 4,096 characters each (the standard tier's value limit, free of charge:
# https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html),
# and the function reads them once per container. Why parameters rather than
# the package or a compressed value: the package is built before Terraform
# runs, from the source alone (its hash is the source's), and a compressed
# value still stops near 300 names within 4 KB; parameters keep the plan
# readable (each part is plain JSON text), cost nothing and grow with the
# table count (1,000 names of 30 characters are 14 parts, read with one
# GetParameters call per 10 parts).

locals {
  config_json = jsonencode(local.warmer_config)
  # What the environment holds besides the configuration, with room to spare
  # for the keys; a configuration up to this size stays in WARMER_CONFIG.
  lambda_environment_limit = 4096
  config_inline_limit      = 3072
  config_in_environment    = length(local.config_json) <= local.config_inline_limit
  config_part_size         = 4096
  config_parts = local.config_in_environment ? [] : [
    for i in range(ceil(length(local.config_json) / local.config_part_size)) :
    substr(local.config_json, i * local.config_part_size, local.config_part_size)
  ]
  config_parameter_path = "/${var.name_prefix}-warmer/config"
  config_parameter_arn  = "arn:${local.arn_parts.partition}:ssm:${local.arn_parts.region}:${local.arn_parts.account}:parameter${local.config_parameter_path}/*"

  # The parts' count and the JSON's hash are in the environment: a changed
  # configuration changes the function's configuration too, so Lambda starts
  # new containers, which read the new parts (a warm one never keeps old ones).
  environment_variables = merge(
    { WARMER_EMF = var.enable_custom_metrics ? "true" : "false" },
    local.config_in_environment ? { WARMER_CONFIG = local.config_json } : {
      WARMER_CONFIG_PARAMETER                     = local.config_parameter_path
      WARMER_CONFIG_PARTS                         = tostring(length(local.config_parts))
      WARMER_CONFIG_SHA256                        = sha256(local.config_json)
    },
  )
  # Lambda counts the keys and values of every variable.
  environment_size = length(join("", concat(keys(local.environment_variables), values(local.environment_variables))))
}

resource "aws_ssm_parameter" "config" {
  #checkov:skip=CKV2_AWS_34:The parts hold table names and warming settings, nothing secret; a String parameter needs no KMS permission on the function's role.
  count = length(local.config_parts)

  name        = "${local.config_parameter_path}/${format("%03d", count.index)}"
  description = "Part ${count.index + 1} of ${length(local.config_parts)} of the DynamoDB warmer ${local.function_name}'s WARMER_CONFIG JSON."
  type        = "String"
  tier        = "Standard"
  value       = local.config_parts[count.index]
  tags        = var.tags

  lifecycle {
    # Standard parameters are limited to 10,000 per account and region; 100
    # parts (400 KB, some 9,000 typical table names) leaves room for others.
    precondition {
      condition     = length(local.config_parts) <= 100
      error_message = "The warmer's configuration is ${length(local.config_json)} characters, ${length(local.config_parts)} SSM parameters of 4 KB (at most 100): select tables with table_name_patterns instead of listing each, or split them over several environments."
    }
  }
}
