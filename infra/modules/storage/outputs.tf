output "bucket_names" {
  description = "Logical name => bucket name."
  value       = { for key, bucket in aws_s3_bucket.this : key => bucket.bucket }
}

output "bucket_arns" {
  description = "Logical name => bucket ARN (for the task role's policy)."
  value       = { for key, bucket in aws_s3_bucket.this : key => bucket.arn }
}
