output "secret_arns" {
  description = "Secret name => ARN."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}
