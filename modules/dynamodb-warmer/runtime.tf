# When the function's runtime (and the botocore it brings) changes: Lambda upgrades a
# managed runtime on its own in "Auto" mode. See var.runtime_management for the modes
# and the default; docs/operations.md, "The Lambda runtime", for seeing, pinning and
# rolling forward the runtime version:
# https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html
# Destroying this resource puts the function back to Auto (the provider's note).
resource "aws_lambda_runtime_management_config" "this" {
  function_name       = aws_lambda_function.this.function_name
  update_runtime_on   = var.runtime_management.update_runtime_on
  runtime_version_arn = var.runtime_management.runtime_version_arn
}
