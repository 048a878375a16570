output "url" {
  description = "Public URL of the service."
  value       = module.alb.url
}

output "load_balancer_dns_name" {
  description = "Point the domain at this name (CNAME or alias) when its zone is not in this account."
  value       = module.alb.dns_name
}

output "ecr_repository_url" {
  description = "Where build.yml pushes images."
  value       = module.ecr.repository_url
}

output "deploy_role_arn" {
  description = "OIDC_ROLE_ARN for the GitHub environment."
  value       = module.iam.deploy_role_arn
}

output "build_role_arn" {
  description = "AWS_BUILD_ROLE_ARN for build.yml."
  value       = module.iam.build_role_arn
}

output "plan_role_arn" {
  description = "AWS_PLAN_ROLE_ARN_<ENV> for infra.yml's plans and drift.yml."
  value       = module.iam.plan_role_arn
}

output "apply_role_arn" {
  description = "AWS_APPLY_ROLE_ARN_<ENV> for infra.yml's applies."
  value       = module.iam.apply_role_arn
}

output "cluster_name" {
  description = "ECS cluster."
  value       = module.ecs.cluster_name
}

output "service_name" {
  description = "ECS service."
  value       = module.ecs.service_name
}

output "log_group_name" {
  description = "Container logs."
  value       = module.ecs.log_group_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.alarms.topic_arn
}

output "secret_arns" {
  description = "Application secrets to fill (RUNBOOK.md: 'Set a secret')."
  value       = module.iam.secret_arns
}
