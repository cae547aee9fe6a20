# The least a caller writes: a name and the tables. Build the package first:
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

module "warmer" {
  source = "../.."

  name_prefix  = "example-minimal"
  package_path = "${path.module}/lambda_function.zip"
  tables       = [{ name = "example-orders" }]
}

output "function_name" {
  value = module.warmer.function_name
}
