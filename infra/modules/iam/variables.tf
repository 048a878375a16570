variable "execution_role_name" {
  description = "Name of the ECS task execution role (pulls the image, writes logs, reads secrets)."
  type        = string
}

variable "task_role_name" {
  description = "Name of the role the application runs as."
  type        = string
}

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

variable "ecr_repository_arn" {
  description = "The one ECR repository images are pushed to and pulled from."
  type        = string
}

variable "ecs_cluster_name" {
  description = "Cluster of the service the deploy role may update."
  type        = string
}

variable "ecs_service_name" {
  description = "The one service the deploy role may update."
  type        = string
}

variable "ecs_task_family" {
  description = "Task definition family of the service."
  type        = string
}

variable "log_group_name" {
  description = "CloudWatch log group the tasks write to."
  type        = string
}

variable "secrets_prefix" {
  description = "Prefix of the application's secret names in Secrets Manager, e.g. orders-api/dev/."
  type        = string
}

variable "secret_names" {
  description = "Secrets the application reads (names only: values are put by an operator, never by Terraform)."
  type        = list(string)
  default     = []
}

variable "extra_secret_arns" {
  description = "Other secrets the task execution role may read (e.g. the database's managed master secret)."
  type        = list(string)
  default     = []
}

variable "bucket_arns" {
  description = "S3 buckets the application may read and write."
  type        = list(string)
  default     = []
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
  description = "Every S3 bucket this environment manages (the application's and the load balancer's access logs)."
  type        = list(string)
}

variable "load_balancer_name" {
  description = "Name of the environment's load balancer."
  type        = string
}

variable "target_group_name" {
  description = "Name of the load balancer's target group."
  type        = string
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
  description = "Prefix of the environment's CloudWatch alarm names."
  type        = string
}

variable "domain_name" {
  description = "The service's domain: the only name the apply role requests certificates and DNS records for."
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
