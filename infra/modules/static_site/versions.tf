terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
      # CloudFront takes certificates from us-east-1 only.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
