terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # State lives in the bucket infra/scripts/setup-oidc.sh creates; `use_lockfile` locks it
  # with S3 itself (no DynamoDB table).
  backend "s3" {
    bucket       = "sbh-prod-tfstate-222222222222-us-east-1"
    key          = "sbh/prod/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["222222222222"]

  default_tags {
    tags = local.tags
  }
}
