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

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
