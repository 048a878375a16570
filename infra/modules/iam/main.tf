data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id           = data.aws_caller_identity.current.account_id
  partition            = data.aws_partition.current.partition
  region               = data.aws_region.current.region
  log_group_arn        = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${var.log_group_name}"
  service_arn          = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:service/${var.ecs_cluster_name}/${var.ecs_service_name}"
  oidc_host            = "token.actions.githubusercontent.com"
  oidc_provider_arn    = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn
  readable_secret_arns = concat([for secret in aws_secretsmanager_secret.app : secret.arn], var.extra_secret_arns)
}

# Application secrets: Terraform creates the empty containers and grants read access;
# an operator puts the values (RUNBOOK.md), so no secret value is ever in state or a plan.
resource "aws_secretsmanager_secret" "app" {
  for_each = toset(var.secret_names)
  #checkov:skip=CKV_AWS_149:The AWS-managed key (aws/secretsmanager) encrypts these; a customer-managed key is a compliance choice with per-key cost.
  #checkov:skip=CKV2_AWS_57:These hold third-party credentials whose rotation the third party controls; RDS rotates the database secret itself.

  name                    = "${var.secrets_prefix}${each.key}"
  description             = "${each.key} for ${var.ecs_service_name}; value set by an operator"
  recovery_window_in_days = 7
  tags                    = var.tags
}

# --- ECS task execution role: pull this image, write this log group, read these secrets.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid = "EcrAuthIsAccountWide"
    # GetAuthorizationToken has no resource-level permissions: AWS requires "*" here.
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullThisRepository"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid       = "WriteThisLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  dynamic "statement" {
    for_each = length(local.readable_secret_arns) > 0 ? [1] : []
    content {
      sid       = "ReadTheseSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.readable_secret_arns
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = var.execution_role_name
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- Task role: what the application itself may do (its buckets, nothing else).

data "aws_iam_policy_document" "task" {
  count = length(var.bucket_arns) > 0 ? 1 : 0

  statement {
    sid       = "ListTheseBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = var.bucket_arns
  }

  statement {
    sid       = "ReadWriteObjectsInTheseBuckets"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [for arn in var.bucket_arns : "${arn}/*"]
  }
}

resource "aws_iam_role" "task" {
  name               = var.task_role_name
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

# No buckets, no policy: the application role can then do nothing at all.
resource "aws_iam_role_policy" "task" {
  count = length(var.bucket_arns) > 0 ? 1 : 0

  name   = "workspace-buckets"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task[0].json
}

# --- GitHub OIDC: one provider per account, two roles with exact subjects.

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 0 : 1

  url = "https://${local.oidc_host}"
}

data "aws_iam_policy_document" "github_assume" {
  for_each = {
    deploy = var.github_deploy_subjects
    build  = var.github_build_subjects
  }

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    # StringEquals, not StringLike: only these exact repositories and environments.
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = each.value
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = var.deploy_role_name
  assume_role_policy   = data.aws_iam_policy_document.github_assume["deploy"].json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "EcrAuthIsAccountWide"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "FindImagesInThisRepository"
    actions   = ["ecr:DescribeImages", "ecr:BatchGetImage"]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid = "TaskDefinitionsHaveNoResourceLevelPermissions"
    # Register/Describe/ListTaskDefinitions do not support resource-level permissions.
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"]
    resources = ["*"]
  }

  statement {
    sid       = "UpdateThisService"
    actions   = ["ecs:DescribeServices", "ecs:UpdateService"]
    resources = [local.service_arn]
  }

  statement {
    sid       = "PassOnlyTheTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.task.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy-this-service"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

resource "aws_iam_role" "build" {
  name                 = var.build_role_name
  assume_role_policy   = data.aws_iam_policy_document.github_assume["build"].json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "build" {
  statement {
    sid       = "EcrAuthIsAccountWide"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushToThisRepository"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [var.ecr_repository_arn]
  }
}

resource "aws_iam_role_policy" "build" {
  name   = "push-images"
  role   = aws_iam_role.build.id
  policy = data.aws_iam_policy_document.build.json
}
