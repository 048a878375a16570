output "task_definition_arn" {
  description = "The task definition Terraform registered (deploy.yml registers later revisions)."
  value       = aws_ecs_task_definition.this.arn
}

output "task_family" {
  description = "Family of the task definition."
  value       = aws_ecs_task_definition.this.family
}

output "service_name" {
  description = "The ECS service (null for a job)."
  value       = local.is_service ? aws_ecs_service.this[0].name : null
}

output "execution_role_arn" {
  description = "ARN of the execution role."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the role the application runs as."
  value       = aws_iam_role.task.arn
}

output "log_group_name" {
  description = "Where the containers log."
  value       = aws_cloudwatch_log_group.this.name
}

output "schedule_name" {
  description = "A job's schedule (null for the other kinds)."
  value       = local.is_job ? aws_scheduler_schedule.this[0].name : null
}

output "scheduler_role_arn" {
  description = "A job's scheduler role (deploy.yml passes it when it updates the schedule)."
  value       = local.is_job ? aws_iam_role.scheduler[0].arn : null
}
