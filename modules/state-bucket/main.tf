# One Terraform state bucket: versioned, encrypted, never public, reachable
# only over TLS and only by the principals listed. Made by an account's
# bootstrap unit (live/_bootstrap/<account>/) for each region its
# environments deploy to.

data "aws_partition" "current" {}

locals {
  arn = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket}"
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:access logs need a second bucket per region; CloudTrail data events are the audit trail a state bucket needs, and the account decides on those
  #checkov:skip=CKV_AWS_144:state is rebuilt from the region it describes; replicating it to another region adds a second copy to protect and nothing to restore from
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES256); a KMS key would add a key policy every CI role needs and a cost per request, for state that holds no secrets
  #checkov:skip=CKV2_AWS_62:nothing consumes events of a state bucket
  #checkov:skip=CKV2_AWS_61:old state versions are kept on purpose: they are how a broken state is restored (docs/operations.md)
  # CreateBucket fails with BucketAlreadyExists when another account has the
  # name, so the bootstrap never adopts a bucket it does not own. No
  # force_destroy: a bucket that holds state is never deleted with it.
  bucket = var.bucket
  tags   = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced" # no ACLs: the policy alone decides
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket                = aws_s3_bucket.this.id
  expected_bucket_owner = var.account_id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket                = aws_s3_bucket.this.id
  expected_bucket_owner = var.account_id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "TLSOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.arn, "${local.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "OnlyTheCIRolesAndAdmins"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.arn, "${local.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = var.allowed_principal_arns
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  # S3 refuses a policy while the public-access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
