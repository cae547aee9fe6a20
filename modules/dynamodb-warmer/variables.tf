variable "name_prefix" {
  description = "Prefix of every resource name (function, roles, schedule, queue, log group), for example \"ddb-warmer-prod\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,38}[A-Za-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2 to 40 characters of letters, digits and '-', starting with a letter and not ending with '-', for example \"ddb-warmer-prod\"."
  }
}

variable "tables" {
  description = <<-EOT
    The provisioned tables to keep warm, as in the Lambda contract. A table with neither
    `read` nor `write` set is in auto mode: every dimension of it and of its GSIs that has an
    Application Auto Scaling target is warmed, except GSI writes (set `write = true` on the
    index to opt in; that writes one sentinel item to the table). Explicit true/false wins.
  EOT
  type = list(object({
    name  = string
    read  = optional(bool)
    write = optional(bool)
    indexes = optional(list(object({
      name  = string
      read  = optional(bool)
      write = optional(bool)
    })), [])
  }))

  default = []

  validation {
    condition     = alltrue([for t in var.tables : can(regex("^[A-Za-z0-9_.-]{3,255}$", t.name))])
    error_message = "Every table name must be 3 to 255 characters of letters, digits, '_', '-' and '.' (DynamoDB naming rules)."
  }

  validation {
    # A set rather than distinct(): distinct compares every pair, minutes for 1,000 tables.
    condition     = length(toset([for t in var.tables : t.name])) == length(var.tables)
    error_message = "Each table must be listed once: merge the duplicate entries into one."
  }

  validation {
    condition = alltrue(flatten([
      for t in var.tables : [for i in t.indexes : can(regex("^[A-Za-z0-9_.-]{3,255}$", i.name))]
    ]))
    error_message = "Every index name must be 3 to 255 characters of letters, digits, '_', '-' and '.' (DynamoDB naming rules)."
  }

  validation {
    condition     = alltrue([for t in var.tables : length(distinct([for i in t.indexes : i.name])) == length(t.indexes)])
    error_message = "Each index of a table must be listed once: merge the duplicate index entries into one."
  }
}

variable "resolved_tables_detail_limit" {
  description = <<-EOT
    How many of the tables found the plan reads one by one for the resolved_tables output (billing
    mode, GSIs, what is warmed): four reads each, so 1,000 tables would add minutes and a large plan.
    Past it, resolved_tables details the first ones and resolved_tables_summary says how many were
    found and that the rest is left out; the missing-table warning still covers every listed table.
    The function is not affected: it reads each table itself on every tick. 0 reads none.
  EOT
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.resolved_tables_detail_limit >= 0 && floor(var.resolved_tables_detail_limit) == var.resolved_tables_detail_limit
    error_message = "resolved_tables_detail_limit must be a whole number of tables, 0 or more, for example 100."
  }
}

variable "table_name_patterns" {
  description = <<-EOT
    Discovery: every table of the region whose name matches one of these patterns is warmed in
    auto mode (each dimension with an auto scaling target), found again on every tick, so a table
    created later needs no change here. `*` matches any characters, `?` one, as in IAM ARNs; for
    example ["prod-*"]. Entries in `tables` win over a pattern.
  EOT
  type        = list(string)
  default     = []

  validation {
    # The regular-expression signs ^ $ \ [ ] + pass here: the function's
    # precondition (main.tf) refuses them with the glob to write instead.
    condition     = length(var.table_name_patterns) <= 20 && alltrue([for p in var.table_name_patterns : can(regex("^[A-Za-z0-9_.*?^$\\\\\\[\\]+-]{1,255}$", p))])
    error_message = "table_name_patterns takes at most 20 patterns of letters, digits, '_', '-', '.' and the wildcards '*' and '?', for example [\"prod-*\"]."
  }
}

variable "exclude_table_name_patterns" {
  description = "Tables that table_name_patterns would select but that are not warmed, by the same kind of pattern, for example [\"prod-tmp-*\"]."
  type        = list(string)
  default     = []

  validation {
    # The regular-expression signs ^ $ \ [ ] + pass here: the function's
    # precondition (main.tf) refuses them with the glob to write instead.
    condition     = length(var.exclude_table_name_patterns) <= 20 && alltrue([for p in var.exclude_table_name_patterns : can(regex("^[A-Za-z0-9_.*?^$\\\\\\[\\]+-]{1,255}$", p))])
    error_message = "exclude_table_name_patterns takes at most 20 patterns of letters, digits, '_', '-', '.' and the wildcards '*' and '?', for example [\"prod-tmp-*\"]."
  }

  # The function refuses an exclude without patterns on every tick
  # (lambda_function/config.py): it only narrows what the patterns select.
  validation {
    condition     = length(var.exclude_table_name_patterns) == 0 || length(var.table_name_patterns) > 0
    error_message = "exclude_table_name_patterns only narrows table_name_patterns, and none is set: add table_name_patterns such as [\"prod-*\"], or remove exclude_table_name_patterns (a listed table is left out by removing it from tables)."
  }
}

variable "schedule_expression" {
  description = <<-EOT
    How often the warmer runs: rate(1 minute) (the default and the recommendation), another
    rate(N minute|minutes|hour|hours), or cron(...). Slower than once a minute is risky: the
    scale-in alarm (AlarmLow) needs a datapoint in each of 15 consecutive minutes, and minutes
    without requests produce none, so a slower rate can keep tables from scaling in.
  EOT
  type        = string
  default     = "rate(1 minute)"

  validation {
    condition     = can(regex("^(rate\\((1 minute|[1-9][0-9]* minutes|1 hour|[1-9][0-9]* hours)\\)|cron\\(.+\\))$", var.schedule_expression))
    error_message = "schedule_expression must be rate(1 minute), rate(N minutes), rate(1 hour), rate(N hours) or cron(...); for example \"rate(1 minute)\"."
  }
}

variable "schedule_enabled" {
  description = "Whether the schedule runs. false pauses the warmer without destroying anything."
  type        = bool
  default     = true
}

variable "package_path" {
  description = "Path of the Lambda zip built by ddb_warmer/build/package.py (the Terragrunt units build it in a before hook)."
  type        = string
}

variable "dry_run" {
  description = "When true the warmer works out and logs its requests without sending them."
  type        = bool
  default     = false
}

variable "max_workers" {
  description = "Requests the warmer sends at once (thread pool size). 32 measured best for 200 tables; see CONTRIBUTING.md, Benchmarks."
  type        = number
  default     = 32

  validation {
    condition     = var.max_workers >= 1 && var.max_workers <= 64 && floor(var.max_workers) == var.max_workers
    error_message = "max_workers must be a whole number from 1 to 64."
  }
}

variable "log_retention_days" {
  description = "Days the function's logs are kept."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch's values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the log group, the dead-letter queue and the function's environment. null uses AWS managed encryption."
  type        = string
  default     = null
}

variable "tracing_mode" {
  description = "X-Ray tracing of the function: PassThrough or Active."
  type        = string
  default     = "PassThrough"

  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be \"PassThrough\" or \"Active\"."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions of the function. 1 keeps overlapping ticks from piling up; -1 leaves it unreserved (for accounts with no concurrency to spare)."
  type        = number
  default     = -1
}

variable "tags" {
  description = "Tags added to every taggable resource."
  type        = map(string)
  default     = {}
}

variable "memory_size" {
  description = "Memory of the function in MB. Lambda gives CPU in proportion to memory: 128 MB warms about 200 tables within a few seconds; raise it for more tables or a faster tick (CONTRIBUTING.md, Benchmarks)."
  type        = number
  default     = 128

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. The function starts no request in its last 16 s (one call's worst case, 15 s, and a second for the report) and reports what it did not reach as out of time; a longer timeout gives a tick of many tables more room."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 50 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 50 (a tick's worst case) to 900."
  }
}

variable "alarm_actions" {
  description = "More SNS topic ARNs notified when a warmer alarm fires, besides the notifications topic."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.alarm_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$", arn))])
    error_message = "alarm_actions must be SNS topic ARNs such as \"arn:aws:sns:eu-west-1:123456789012:oncall\"."
  }

  validation {
    condition     = alltrue([for arn in var.alarm_actions : try(split(":", arn)[3], local.unit_region) == local.unit_region])
    error_message = "alarm_actions ${jsonencode([for arn in var.alarm_actions : arn if try(split(":", arn)[3], local.unit_region) != local.unit_region])}: ${local.other_region_topic_fix}."
  }
}

variable "ok_actions" {
  description = "SNS topic ARNs notified when a warmer alarm recovers."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.ok_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$", arn))])
    error_message = "ok_actions must be SNS topic ARNs such as \"arn:aws:sns:eu-west-1:123456789012:oncall\"."
  }

  validation {
    condition     = alltrue([for arn in var.ok_actions : try(split(":", arn)[3], local.unit_region) == local.unit_region])
    error_message = "ok_actions ${jsonencode([for arn in var.ok_actions : arn if try(split(":", arn)[3], local.unit_region) != local.unit_region])}: ${local.other_region_topic_fix}."
  }
}

variable "no_successful_tick_minutes" {
  description = "Minutes without one fully successful tick before the \"no successful tick\" alarm fires."
  type        = number
  default     = 10

  validation {
    condition     = var.no_successful_tick_minutes >= 2 && var.no_successful_tick_minutes <= 1440 && floor(var.no_successful_tick_minutes) == var.no_successful_tick_minutes
    error_message = "no_successful_tick_minutes must be a whole number of minutes from 2 to 1440."
  }
}

variable "log_level" {
  description = "Application log level of the function (Lambda's JSON log format). INFO, the default, logs one summary line per tick and one line per failed table; DEBUG adds one line per request, which at 200 tables is about 6 GB (some $3) of log ingestion a month."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "enable_custom_metrics" {
  description = "Publish the tick's own metrics (namespace DdbWarmer: tables warmed, skipped, failed, dimensions warmed, successful tick, tick duration) as Embedded Metric Format log lines. Off by default: each custom metric costs about $0.30 a month, and the alarms need none of them (they read AWS/Lambda)."
  type        = bool
  default     = false
}

variable "permissions_boundary" {
  description = "ARN of the permissions boundary set on the warmer's two roles: the github-oidc bootstrap's permissions_boundary_arn output, which CI's apply roles require on every role they create. null: no boundary (an apply by an admin)."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary))
    error_message = "permissions_boundary must be an IAM policy ARN such as \"arn:aws:iam::123456789012:policy/ddb-warmer-bootstrap-warmer-boundary\" (the bootstrap's permissions_boundary_arn output), or null."
  }
}

variable "notifications" {
  description = <<-EOT
    Where the alarms reach a person. Either an existing SNS topic,
    `{ topic_arn = "arn:aws:sns:eu-west-1:123456789012:oncall" }`, or a topic this module creates
    with its subscriptions, `{ subscriptions = [{ protocol = "email", endpoint = "oncall@example.com" }] }`
    (an email subscription must be confirmed from the message SNS sends). Every alarm sends its
    ALARM and OK notifications there. null: the alarms notify only alarm_actions / ok_actions.
  EOT
  type = object({
    topic_arn = optional(string)
    subscriptions = optional(list(object({
      protocol = string
      endpoint = string
    })), [])
  })
  default = null

  validation {
    condition = var.notifications == null || (
      (try(var.notifications.topic_arn, null) == null) != (length(try(var.notifications.subscriptions, [])) == 0)
    )
    error_message = "notifications takes either topic_arn (an existing topic) or subscriptions (for a topic the module creates), not both and not neither; for example { subscriptions = [{ protocol = \"email\", endpoint = \"oncall@example.com\" }] }."
  }

  validation {
    condition     = var.notifications == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$", coalesce(try(var.notifications.topic_arn, null), "arn:aws:sns:x:000000000000:x")))
    error_message = "notifications.topic_arn must be an SNS topic ARN such as \"arn:aws:sns:eu-west-1:123456789012:oncall\"."
  }

  validation {
    condition     = try(split(":", coalesce(var.notifications.topic_arn, "-"))[3], local.unit_region) == local.unit_region
    error_message = "notifications.topic_arn \"${coalesce(try(var.notifications.topic_arn, null), "-")}\": ${local.other_region_topic_fix}."
  }

  validation {
    condition     = var.notifications == null || alltrue([for s in try(var.notifications.subscriptions, []) : contains(["email", "email-json", "http", "https", "sms", "sqs", "lambda", "application", "firehose"], s.protocol)])
    error_message = "notifications.subscriptions[*].protocol must be one of SNS's protocols: email, email-json, http, https, sms, sqs, lambda, application, firehose."
  }
}

variable "runbook_url" {
  description = "Where each alarm's description links to (its section is appended as #alarm-<name>): the runbook docs/operations.md, as a URL your on-call can open, for example \"https://github.com/acme/ddb-warmer/blob/main/docs/operations.md\"."
  type        = string
  default     = "docs/operations.md"
}

variable "failure_minutes" {
  description = "The window (in minutes) the errors and tick-not-running alarms look at."
  type        = number
  default     = 5

  validation {
    condition     = var.failure_minutes >= 1 && var.failure_minutes <= 60 && floor(var.failure_minutes) == var.failure_minutes
    error_message = "failure_minutes must be a whole number of minutes from 1 to 60."
  }
}

variable "failure_datapoints" {
  description = "How many of the last failure_minutes minutes must fail before the errors and tick-not-running alarms fire (\"M out of N\"): one bad minute does not page."
  type        = number
  default     = 3

  validation {
    condition     = var.failure_datapoints >= 1 && floor(var.failure_datapoints) == var.failure_datapoints
    error_message = "failure_datapoints must be a whole number, at least 1 and at most failure_minutes."
  }
}

variable "runtime_management" {
  description = <<-EOT
    When Lambda may change the function's python3.13 runtime version, and with it the botocore the
    function runs on: "FunctionUpdate" (the default) only when the function is deployed, so a runtime
    change arrives with an apply the team reviews, that doctor checks after, and that the weekly
    botocore matrix saw coming; "Auto" whenever AWS rolls one out (right for a warmer that is seldom
    deployed, since FunctionUpdate leaves it on the runtime of its last deploy); "Manual" pins
    runtime_version_arn (from the INIT_START log line), to hold or roll back a runtime version for a
    while. docs/operations.md, "The Lambda runtime".
  EOT
  type = object({
    update_runtime_on   = string
    runtime_version_arn = optional(string)
  })
  default = { update_runtime_on = "FunctionUpdate" }

  validation {
    condition     = contains(["Auto", "FunctionUpdate", "Manual"], var.runtime_management.update_runtime_on)
    error_message = "runtime_management.update_runtime_on must be \"Auto\", \"FunctionUpdate\" or \"Manual\", for example { update_runtime_on = \"FunctionUpdate\" }."
  }
  validation {
    condition     = (var.runtime_management.update_runtime_on == "Manual") == (var.runtime_management.runtime_version_arn != null)
    error_message = "runtime_management.runtime_version_arn goes with \"Manual\" and only with it: write { update_runtime_on = \"Manual\", runtime_version_arn = \"arn:aws:lambda:<region>::runtime:<id>\" } (the ARN of the INIT_START log line), or leave the ARN out."
  }
  validation {
    # The pattern of RuntimeVersionArn in Lambda's API:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-runtimemanagementconfig.html
    condition     = var.runtime_management.runtime_version_arn == null || can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}::runtime:.+$", var.runtime_management.runtime_version_arn))
    error_message = "runtime_management.runtime_version_arn must be a runtime version ARN such as \"arn:aws:lambda:eu-west-1::runtime:<id>\": copy it from the function's INIT_START log line (docs/operations.md, \"The Lambda runtime\")."
  }
}
