variable "deploy_role_name" {
  description = "Name of the role GitHub Actions assumes to deploy (environment-gated jobs only)."
  type        = string
}

variable "build_role_name" {
  description = "Name of the role GitHub Actions assumes to push images (default-branch pushes only)."
  type        = string
}

variable "plan_role_name" {
  description = "Name of the read-only role GitHub Actions assumes to plan infrastructure changes (pull requests and the drift check)."
  type        = string
}

variable "apply_role_name" {
  description = "Name of the role GitHub Actions assumes to apply infrastructure changes (environment-gated jobs only)."
  type        = string
}

variable "ecr_repository_arns" {
  description = "The services' image repositories: build pushes to them, deploy finds images in them."
  type        = list(string)
}

variable "ecs_service_names" {
  description = "The ECS services (web, backend, worker) deploy may update."
  type        = list(string)
  default     = []
}

variable "task_families" {
  description = "Task definition families of every container service."
  type        = list(string)
}

variable "task_role_arns" {
  description = "Execution and task roles of every container service: the only roles deploy and apply pass to ECS tasks."
  type        = list(string)
}

variable "scheduler_role_arns" {
  description = "The jobs' scheduler roles: the only roles deploy and apply pass to EventBridge Scheduler."
  type        = list(string)
  default     = []
}

variable "schedule_names" {
  description = "The jobs' schedules (default group): deploy points them at new revisions."
  type        = list(string)
  default     = []
}

variable "service_role_names" {
  description = "Every role the services use (execution, task, scheduler): apply manages them, plan reads them."
  type        = list(string)
}

variable "log_group_names" {
  description = "The services' log groups."
  type        = list(string)
}

variable "queue_names" {
  description = "The workers' queues and dead-letter queues."
  type        = list(string)
  default     = []
}

variable "target_group_names" {
  description = "The web services' target groups."
  type        = list(string)
  default     = []
}

variable "site_bucket_name" {
  description = "The static site's bucket (deploy syncs the build output to it); null without a static site."
  type        = string
  default     = null
}

variable "distribution_arn" {
  description = "The static site's distribution (deploy invalidates it); null without a static site."
  type        = string
  default     = null
}

variable "ecs_cluster_name" {
  description = "Cluster of every service and job."
  type        = string
}

variable "secrets_prefix" {
  description = "Prefix of the application's secret names in Secrets Manager, e.g. orders-api/dev/."
  type        = string
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider. It exists once per account: false when setup-oidc.sh or another stack made it."
  type        = bool
  default     = false
}

variable "github_deploy_subjects" {
  description = "Exact OIDC `sub` values allowed to assume the deploy role, e.g. repo:acme/orders-api:environment:prod (or the immutable-id form)."
  type        = list(string)

  validation {
    condition     = length(var.github_deploy_subjects) > 0 && alltrue([for subject in var.github_deploy_subjects : !strcontains(subject, "*") && startswith(subject, "repo:")])
    error_message = "github_deploy_subjects must be exact repo:... subjects; wildcards would let other repositories deploy."
  }
}

variable "github_build_subjects" {
  description = "Exact OIDC `sub` values allowed to assume the build role, e.g. repo:acme/orders-api:ref:refs/heads/main."
  type        = list(string)

  validation {
    condition     = length(var.github_build_subjects) > 0 && alltrue([for subject in var.github_build_subjects : !strcontains(subject, "*") && startswith(subject, "repo:")])
    error_message = "github_build_subjects must be exact repo:... subjects; wildcards would let other repositories push images."
  }
}

variable "github_plan_subjects" {
  description = "Exact OIDC `sub` values allowed to assume the plan role: the repository's pull requests (repo:acme/orders-api:pull_request) and the drift check on the default branch (repo:acme/orders-api:ref:refs/heads/main)."
  type        = list(string)

  validation {
    condition     = length(var.github_plan_subjects) > 0 && alltrue([for subject in var.github_plan_subjects : !strcontains(subject, "*") && startswith(subject, "repo:")])
    error_message = "github_plan_subjects must be exact repo:... subjects; wildcards would let other repositories read the infrastructure."
  }
}

variable "github_apply_subjects" {
  description = "Exact OIDC `sub` values allowed to assume the apply role, e.g. repo:acme/orders-api:environment:prod."
  type        = list(string)

  validation {
    condition     = length(var.github_apply_subjects) > 0 && alltrue([for subject in var.github_apply_subjects : !strcontains(subject, "*") && startswith(subject, "repo:")])
    error_message = "github_apply_subjects must be exact repo:... subjects; wildcards would let other repositories change the infrastructure."
  }
}

variable "state_bucket_name" {
  description = "S3 bucket holding this environment's Terraform state."
  type        = string
}

variable "state_key" {
  description = "Key of this environment's state in the state bucket; its lock file is the same key with .tflock."
  type        = string
}

variable "stack_tags" {
  description = "Tags the provider puts on every resource of this environment (default_tags): the apply role changes network resources only when they carry all of them."
  type        = map(string)

  validation {
    condition     = length(var.stack_tags) > 0
    error_message = "stack_tags must name at least one tag, or the apply role could change every network resource of the account."
  }
}

variable "stack_bucket_names" {
  description = "Every S3 bucket this environment manages (the application's, the static site's and the load balancer's access logs)."
  type        = list(string)
}

variable "load_balancer_name" {
  description = "Name of the environment's load balancer; null without web services."
  type        = string
  default     = null
}

variable "db_identifier" {
  description = "Identifier of the environment's RDS instance; null when it has no database."
  type        = string
  default     = null
}

variable "flow_log_group_name" {
  description = "Log group of the VPC flow logs."
  type        = string
}

variable "flow_logs_role_name_prefix" {
  description = "Name prefix of the role that writes the VPC flow logs."
  type        = string
}

variable "alarm_topic_name" {
  description = "SNS topic of the environment's alarms."
  type        = string
}

variable "alarm_name_prefix" {
  description = "Prefix of the environment's CloudWatch alarm and EventBridge rule names."
  type        = string
}

variable "domain_name" {
  description = "The environment's domain: the apply role requests certificates and DNS records for it and its subdomains (origin.<domain>) only."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of the domain; null when it is not in this account."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
