output "cluster_name" {
  description = "Name of the cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "Name of the service."
  value       = aws_ecs_service.this.name
}

output "security_group_id" {
  description = "Security group of the tasks (the database admits it)."
  value       = aws_security_group.service.id
}

output "task_definition_arn" {
  description = "The task definition Terraform registered (deploy.yml registers later revisions)."
  value       = aws_ecs_task_definition.this.arn
}

output "log_group_name" {
  description = "Where the containers log."
  value       = aws_cloudwatch_log_group.this.name
}
