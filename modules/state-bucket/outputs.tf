output "bucket" {
  description = "The state bucket's name."
  value       = aws_s3_bucket.this.id
}

output "policy" {
  description = "The bucket policy, as applied."
  value       = data.aws_iam_policy_document.this.json
}
