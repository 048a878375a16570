output "deploy_role_arn" {
  description = "Role for deploy.yml (OIDC_ROLE_ARN)."
  value       = aws_iam_role.deploy.arn
}

output "build_role_arn" {
  description = "Role for build.yml (AWS_BUILD_ROLE_ARN)."
  value       = aws_iam_role.build.arn
}

output "plan_role_arn" {
  description = "Read-only role for infra.yml's plans and drift.yml (AWS_PLAN_ROLE_ARN_<ENV>)."
  value       = aws_iam_role.plan.arn
}

output "apply_role_arn" {
  description = "Role for infra.yml's applies in this environment (AWS_APPLY_ROLE_ARN_<ENV>)."
  value       = aws_iam_role.apply.arn
}

output "github_oidc_provider_arn" {
  description = "ARN of the account's GitHub OIDC provider."
  value       = local.oidc_provider_arn
}
