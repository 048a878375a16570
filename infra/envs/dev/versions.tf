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
    bucket       = "sbh-dev-tfstate-111111111111-us-east-1"
    key          = "sbh/dev/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]

  default_tags {
    tags = local.tags
  }
}
