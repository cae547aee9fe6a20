# Every input set: explicit and auto tables, an opt-in GSI write, encryption,
# alarms to a topic, tracing, reserved concurrency. Build the package first:
#   python3 ../../../../ddb_warmer/build/package.py --output lambda_function.zip

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40.0, < 7.0.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

# One customer managed key for the warmer's logs, dead-letter queue, schedule
# and environment, usable by the services that write them.
resource "aws_kms_key" "warmer" {
  description         = "ddb-warmer example: logs, dead letters, schedule, environment"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "ServicesEncrypt"
        Effect    = "Allow"
        Principal = { Service = ["logs.${data.aws_region.current.id}.amazonaws.com", "scheduler.amazonaws.com", "sqs.amazonaws.com"] }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_sns_topic" "oncall" {
  name              = "example-complete-oncall"
  kms_master_key_id = aws_kms_key.warmer.arn
}

module "warmer" {
  source = "../.."

  name_prefix  = "example-complete"
  package_path = "${path.module}/lambda_function.zip"

  tables = [
    { name = "example-orders" },
    {
      name    = "example-events"
      read    = true
      write   = true
      indexes = [{ name = "by_user", read = true, write = true }]
    },
  ]

  schedule_expression        = "rate(1 minute)"
  schedule_enabled           = true
  max_workers                = 32
  memory_size                = 256
  timeout                    = 60
  log_retention_days         = 365
  tracing_mode               = "Active"
  reserved_concurrency       = 1
  kms_key_arn                = aws_kms_key.warmer.arn
  alarm_actions              = [aws_sns_topic.oncall.arn]
  ok_actions                 = [aws_sns_topic.oncall.arn]
  no_successful_tick_minutes = 15
  # What CI's apply roles require on every role they create: the github-oidc
  # bootstrap's permissions_boundary_arn output.
  permissions_boundary = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:policy/ddb-warmer-bootstrap-warmer-boundary"

  tags = {
    Team = "platform"
  }
}

output "function_name" {
  value = module.warmer.function_name
}

output "alarm_names" {
  value = module.warmer.alarm_names
}
