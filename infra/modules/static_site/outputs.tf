output "bucket_name" {
  description = "Where deploy.yml uploads the build output (aws s3 sync --delete)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the site's bucket."
  value       = aws_s3_bucket.this.arn
}

output "distribution_id" {
  description = "Distribution deploy.yml invalidates after an upload."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the distribution (for the deploy role's invalidation grant)."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "CloudFront's name: point the domain at it (CNAME or alias) when its zone is not in this account."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "url" {
  description = "Public URL of the site."
  value       = "https://${var.domain_name}"
}
