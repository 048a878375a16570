# prod of sbh: a thin composition of the shared modules.
# The first apply is by hand (README.md); every later change is planned on its pull request
# and applied on merge by .github/workflows/infra.yml.

locals {
  system      = "sbh"
  environment = "prod"
  stem        = "${local.system}-${local.environment}"
  production  = true
  owner       = "system-builder-hub"

  # GitHub's OIDC subject for this repository: the immutable-id form once the ids are given.
  repository_subject = (
    var.github_repository_id == null
    ? "repo:${local.owner}/${local.system}"
    : "repo:${local.owner}@${var.github_owner_id}/${local.system}@${var.github_repository_id}"
  )
  default_branch_subject = "${local.repository_subject}:ref:refs/heads/main"

  app_settings    = { "FORWARDED_ALLOW_IPS" = "10.0.0.0/16" }
  secret_names    = ["SECRET_KEY", "OPENAI_API_KEY", "GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET"]
  bucket_names    = { "workspace" = "sbh-prod-workspace-222222222222-us-east-1" }
  bucket_settings = { "BUCKET_WORKSPACE" = "workspace" }

  tags = {
    System      = local.system
    Environment = local.environment
    Repository  = "system-builder-hub/sbh"
    ManagedBy   = "terraform"
  }
}

module "network" {
  source = "../../modules/network"

  name               = local.stem
  single_nat_gateway = !local.production
}

module "ecr" {
  source = "../../modules/ecr"

  name = "sbh-repo-prod"
}

module "storage" {
  source = "../../modules/storage"

  buckets = local.bucket_names
}

module "db" {
  source = "../../modules/db"

  identifier                = "sbh-prod"
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = [module.ecs.security_group_id]
  engine_version            = "16"
  instance_class            = "db.t4g.small"
  allocated_storage         = 20
  multi_az                  = false
  production                = local.production
}

module "iam" {
  source = "../../modules/iam"

  execution_role_name = "sbh-prod-task-execution"
  task_role_name      = "sbh-prod-task"
  deploy_role_name    = "sbh-prod-github-deploy"
  build_role_name     = "sbh-prod-github-build"
  plan_role_name      = "sbh-prod-github-plan"
  apply_role_name     = "sbh-prod-github-apply"
  ecr_repository_arn  = module.ecr.repository_arn
  ecs_cluster_name    = "sbh-cluster-prod"
  ecs_service_name    = "sbh-service-prod"
  ecs_task_family     = "sbh-task-prod"
  log_group_name      = "/ecs/sbh-prod"
  secrets_prefix      = "sbh/prod/"
  secret_names        = local.secret_names
  extra_secret_arns   = [module.db.master_user_secret_arn]
  bucket_arns         = values(module.storage.bucket_arns)

  create_github_oidc_provider = var.create_github_oidc_provider
  github_deploy_subjects      = ["${local.repository_subject}:environment:${local.environment}"]
  github_build_subjects       = [local.default_branch_subject]
  # Plans run for pull requests, and for the drift check, which runs on the default branch
  # without an environment: an environment's subject is the apply role's, and would put every
  # daily check behind that environment's reviewers.
  github_plan_subjects  = ["${local.repository_subject}:pull_request", local.default_branch_subject]
  github_apply_subjects = ["${local.repository_subject}:environment:${local.environment}"]

  # What this environment's Terraform manages: the plan and apply roles reach only that.
  state_bucket_name          = "sbh-prod-tfstate-222222222222-us-east-1"
  state_key                  = "sbh/prod/terraform.tfstate"
  stack_tags                 = { System = local.system, Environment = local.environment }
  stack_bucket_names         = concat(values(local.bucket_names), ["sbh-prod-alb-logs-222222222222-us-east-1"])
  load_balancer_name         = "sbh-prod"
  target_group_name          = "sbh-prod"
  db_identifier              = "sbh-prod"
  flow_log_group_name        = module.network.flow_log_group_name
  flow_logs_role_name_prefix = module.network.flow_logs_role_name_prefix
  alarm_topic_name           = "sbh-prod-alarms"
  alarm_name_prefix          = "${local.stem}-"
  domain_name                = "sbh.example.com"
  route53_zone_id            = null
}

module "alb" {
  source = "../../modules/alb"

  name               = "sbh-prod"
  vpc_id             = module.network.vpc_id
  vpc_cidr_block     = module.network.vpc_cidr_block
  public_subnet_ids  = module.network.public_subnet_ids
  container_port     = 8000
  health_path        = "/api/ai-chat/health"
  domain_name        = "sbh.example.com"
  route53_zone_id    = null
  certificate_arn    = var.certificate_arn
  access_logs_bucket = "sbh-prod-alb-logs-222222222222-us-east-1"
  production         = local.production
}

module "ecs" {
  source = "../../modules/ecs"

  cluster_name   = "sbh-cluster-prod"
  service_name   = "sbh-service-prod"
  task_family    = "sbh-task-prod"
  container_name = "app"
  # Until the first image exists the service runs no tasks; deploy.yml starts it.
  image         = "${module.ecr.repository_url}:${coalesce(var.image_tag, "bootstrap")}"
  desired_count = var.image_tag == null ? 0 : 2
  min_count     = 2
  max_count     = 4
  cpu           = 512
  memory        = 1024

  container_port = 8000
  health_path    = "/api/ai-chat/health"
  environment = merge(
    local.app_settings,
    { for setting, bucket in local.bucket_settings : setting => module.storage.bucket_names[bucket] },
    {
      APP_ENV = local.environment
      DB_HOST = module.db.address
      DB_PORT = tostring(module.db.port)
      DB_NAME = module.db.database_name
    },
  )
  secrets = merge(
    module.iam.secret_arns,
    {
      # Keys of the JSON secret RDS manages; ECS resolves them when a task starts.
      DB_USERNAME = "${module.db.master_user_secret_arn}:username::"
      DB_PASSWORD = "${module.db.master_user_secret_arn}:password::"
    },
  )

  execution_role_arn              = module.iam.execution_role_arn
  task_role_arn                   = module.iam.task_role_arn
  vpc_id                          = module.network.vpc_id
  vpc_cidr_block                  = module.network.vpc_cidr_block
  private_subnet_ids              = module.network.private_subnet_ids
  load_balancer_security_group_id = module.alb.security_group_id
  target_group_arn                = module.alb.target_group_arn
  log_group_name                  = "/ecs/sbh-prod"
}

module "alarms" {
  source = "../../modules/alarms"

  name                     = local.stem
  topic_name               = "sbh-prod-alarms"
  alarm_emails             = var.alarm_emails
  cluster_name             = module.ecs.cluster_name
  service_name             = module.ecs.service_name
  load_balancer_arn_suffix = module.alb.arn_suffix
  target_group_arn_suffix  = module.alb.target_group_arn_suffix
}

# setup-oidc.sh created the four GitHub roles so that their ARNs exist before the first
# apply; from here on Terraform owns them.
import {
  to = module.iam.aws_iam_role.deploy
  id = "sbh-prod-github-deploy"
}

import {
  to = module.iam.aws_iam_role.build
  id = "sbh-prod-github-build"
}

import {
  to = module.iam.aws_iam_role.plan
  id = "sbh-prod-github-plan"
}

import {
  to = module.iam.aws_iam_role.apply
  id = "sbh-prod-github-apply"
}
