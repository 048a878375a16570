# The GitHub Actions roles of a whole sbh/v2 system in one environment, as modules/iam makes
# them for one service: build pushes to every service's repository; deploy updates every
# service, points the jobs' schedules at new revisions, uploads the static site and
# invalidates its distribution; plan reads and apply changes what this environment's
# Terraform manages, named as the composition names it, and nothing else.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id        = data.aws_caller_identity.current.account_id
  partition         = data.aws_partition.current.partition
  region            = data.aws_region.current.region
  oidc_host         = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn

  iam_arn = "arn:${local.partition}:iam::${local.account_id}"
  regional_arn = {
    for service in ["acm", "application-autoscaling", "cloudwatch", "ec2", "ecr", "ecs", "elasticloadbalancing", "events", "kms", "logs", "rds", "scheduler", "secretsmanager", "servicediscovery", "sns", "sqs"] :
    service => "arn:${local.partition}:${service}:${local.region}:${local.account_id}"
  }
  # CloudFront's certificates live in us-east-1; CloudFront itself is global.
  site_certificate_arns = "arn:${local.partition}:acm:us-east-1:${local.account_id}:certificate/*"
  cloudfront_arn        = "arn:${local.partition}:cloudfront::${local.account_id}"
  stack_role_arns = [
    for name in concat(var.service_role_names, [var.deploy_role_name, var.build_role_name, var.plan_role_name, var.apply_role_name]) :
    "${local.iam_arn}:role/${name}"
  ]
  # AWS completes the flow-logs role's name with a unique suffix.
  flow_logs_role_arns  = "${local.iam_arn}:role/${var.flow_logs_role_name_prefix}*"
  apply_policy_arns    = "${local.iam_arn}:policy/${var.apply_role_name}-*"
  stack_bucket_arns    = [for name in var.stack_bucket_names : "arn:${local.partition}:s3:::${name}"]
  state_bucket_arn     = "arn:${local.partition}:s3:::${var.state_bucket_name}"
  stack_log_group_arns = [for name in concat(var.log_group_names, [var.flow_log_group_name]) : "${local.regional_arn.logs}:log-group:${name}"]
  cluster_arn          = "${local.regional_arn.ecs}:cluster/${var.ecs_cluster_name}"
  service_arns         = [for name in var.ecs_service_names : "${local.regional_arn.ecs}:service/${var.ecs_cluster_name}/${name}"]
  task_definition_arns = [for family in var.task_families : "${local.regional_arn.ecs}:task-definition/${family}:*"]
  schedule_arns        = [for name in var.schedule_names : "${local.regional_arn.scheduler}:schedule/default/${name}"]
  queue_arns           = [for name in var.queue_names : "${local.regional_arn.sqs}:${name}"]
  rule_arns            = "${local.regional_arn.events}:rule/${var.alarm_name_prefix}*"
  topic_arn            = "${local.regional_arn.sns}:${var.alarm_topic_name}"
  secret_arns          = "${local.regional_arn.secretsmanager}:secret:${var.secrets_prefix}*"
  site_bucket_arn      = var.site_bucket_name == null ? null : "arn:${local.partition}:s3:::${var.site_bucket_name}"
  has_site             = var.site_bucket_name != null
  has_load_balancer    = var.load_balancer_name != null
  # Alarms this stack names, and those Application Auto Scaling creates for the services.
  alarm_arns = [
    "${local.regional_arn.cloudwatch}:alarm:${var.alarm_name_prefix}*",
    "${local.regional_arn.cloudwatch}:alarm:TargetTracking-service/${var.ecs_cluster_name}/*",
  ]
  load_balancer_arns = local.has_load_balancer ? concat([
    "${local.regional_arn.elasticloadbalancing}:loadbalancer/app/${var.load_balancer_name}/*",
    "${local.regional_arn.elasticloadbalancing}:listener/app/${var.load_balancer_name}/*",
    "${local.regional_arn.elasticloadbalancing}:listener-rule/app/${var.load_balancer_name}/*",
  ], [for name in var.target_group_names : "${local.regional_arn.elasticloadbalancing}:targetgroup/${name}/*"]) : []
  database_arns = var.db_identifier == null ? [] : [
    "${local.regional_arn.rds}:db:${var.db_identifier}",
    "${local.regional_arn.rds}:subgrp:${var.db_identifier}",
    "${local.regional_arn.rds}:pg:${var.db_identifier}-*",
  ]
  # Network resources are this stack's when they carry every one of its tags.
  network_creations = {
    CreateVpc                     = "vpc"
    CreateSubnet                  = "subnet"
    CreateRouteTable              = "route-table"
    CreateInternetGateway         = "internet-gateway"
    AllocateAddress               = "elastic-ip"
    CreateNatGateway              = "natgateway"
    CreateSecurityGroup           = "security-group"
    AuthorizeSecurityGroupIngress = "security-group-rule"
    AuthorizeSecurityGroupEgress  = "security-group-rule"
    CreateVpcEndpoint             = "vpc-endpoint"
    CreateFlowLogs                = "vpc-flow-log"
  }
}

# --- GitHub OIDC: one provider per account, four roles with exact subjects.

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
    plan   = var.github_plan_subjects
    apply  = var.github_apply_subjects
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
    sid       = "FindImagesInTheServicesRepositories"
    actions   = ["ecr:DescribeImages", "ecr:DescribeRepositories", "ecr:BatchGetImage"]
    resources = var.ecr_repository_arns
  }

  statement {
    sid = "TaskDefinitionsHaveNoResourceLevelPermissions"
    # Register/Describe/ListTaskDefinitions do not support resource-level permissions.
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = length(local.service_arns) > 0 ? [1] : []
    content {
      sid       = "UpdateTheServices"
      actions   = ["ecs:DescribeServices", "ecs:UpdateService"]
      resources = local.service_arns
    }
  }

  statement {
    sid       = "PassOnlyTheTaskRoles"
    actions   = ["iam:PassRole"]
    resources = var.task_role_arns
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  dynamic "statement" {
    for_each = length(local.schedule_arns) > 0 ? [1] : []
    content {
      # A job's deploy points its schedule at the new revision (UpdateSchedule replaces the
      # whole definition, so it reads it first).
      sid       = "PointTheJobsSchedulesAtNewRevisions"
      actions   = ["scheduler:GetSchedule", "scheduler:UpdateSchedule"]
      resources = local.schedule_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.scheduler_role_arns) > 0 ? [1] : []
    content {
      sid       = "PassOnlyTheSchedulerRoles"
      actions   = ["iam:PassRole"]
      resources = var.scheduler_role_arns
      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["scheduler.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.has_site ? [1] : []
    content {
      sid       = "ListTheSiteBucket"
      actions   = ["s3:ListBucket"]
      resources = [local.site_bucket_arn]
    }
  }

  dynamic "statement" {
    for_each = local.has_site ? [1] : []
    content {
      # aws s3 sync --delete: upload, replace and remove the site's files.
      sid       = "SyncTheSiteFiles"
      actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
      resources = ["${local.site_bucket_arn}/*"]
    }
  }

  dynamic "statement" {
    for_each = local.has_site ? [1] : []
    content {
      sid       = "InvalidateTheSitesDistribution"
      actions   = ["cloudfront:CreateInvalidation", "cloudfront:GetDistribution", "cloudfront:GetInvalidation"]
      resources = [var.distribution_arn]
    }
  }

  dynamic "statement" {
    for_each = local.has_site ? [1] : []
    content {
      # The workflow finds the distribution by its comment; listing has no resource.
      sid       = "ListDistributionsHasNoResourceLevelPermissions"
      actions   = ["cloudfront:ListDistributions"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy-the-services"
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
    sid = "PushToTheServicesRepositories"
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
    resources = var.ecr_repository_arns
  }
}

resource "aws_iam_role_policy" "build" {
  name   = "push-images"
  role   = aws_iam_role.build.id
  policy = data.aws_iam_policy_document.build.json
}

# --- GitHub roles for the infrastructure workflows. Plan (pull requests and the drift check)
# reads what this environment's Terraform manages and nothing else: a pull request runs its
# own Terraform with this role, so it must not reach the application's data (no s3:GetObject
# outside the state, no secretsmanager:GetSecretValue, no log events, no image layers) and no
# KMS key (the state and the stack use S3- and AWS-managed keys, which need no grant). Apply
# (jobs in the environment, after review) also changes those resources, and only those where
# IAM can name them.

resource "aws_iam_role" "plan" {
  name                 = var.plan_role_name
  assume_role_policy   = data.aws_iam_policy_document.github_assume["plan"].json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role" "apply" {
  name                 = var.apply_role_name
  assume_role_policy   = data.aws_iam_policy_document.github_assume["apply"].json
  max_session_duration = 3600
  tags                 = var.tags
}

# The same reads for both: inline, so that the plan role holds nothing else.
resource "aws_iam_role_policy" "stack_read" {
  for_each = { plan = aws_iam_role.plan.id, apply = aws_iam_role.apply.id }

  name   = "read-this-stack"
  role   = each.value
  policy = data.aws_iam_policy_document.stack_read.json
}

# What apply may change, in managed policies: a role's inline policies hold 10,240
# characters in all, a managed policy 6,144.
resource "aws_iam_policy" "apply" {
  for_each = {
    network           = data.aws_iam_policy_document.change_network.json
    services          = data.aws_iam_policy_document.change_services.json
    delivery          = data.aws_iam_policy_document.change_delivery.json
    identity-and-data = data.aws_iam_policy_document.change_identity_and_data.json
  }

  name        = "${var.apply_role_name}-${each.key}"
  description = "What ${var.apply_role_name} may change: ${each.key}"
  policy      = each.value
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "apply" {
  for_each = aws_iam_policy.apply

  role       = aws_iam_role.apply.name
  policy_arn = each.value.arn
}

data "aws_iam_policy_document" "stack_read" {
  statement {
    sid = "DescribeNetworkHasNoResourceLevelPermissions"
    actions = [
      "ec2:DescribeAccountAttributes",
      "ec2:DescribeAddresses",
      "ec2:DescribeAddressesAttribute",
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeFlowLogs",
      "ec2:DescribeInternetGateways",
      "ec2:DescribeNatGateways",
      "ec2:DescribeNetworkAcls",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribePrefixLists",
      "ec2:DescribeRegions",
      "ec2:DescribeRouteTables",
      "ec2:DescribeSecurityGroupRules",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcEndpointServices",
      "ec2:DescribeVpcEndpoints",
      "ec2:DescribeVpcs",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "DescribeVpcAttributes"
    actions   = ["ec2:DescribeVpcAttribute"]
    resources = ["${local.regional_arn.ec2}:vpc/*"]
  }

  statement {
    sid = "DescribeOtherServicesHaveNoResourceLevelPermissions"
    actions = [
      "application-autoscaling:DescribeScalableTargets",
      "application-autoscaling:DescribeScalingPolicies",
      "ecs:DescribeTaskDefinition",
      "elasticloadbalancing:DescribeCapacityReservation",
      "elasticloadbalancing:DescribeListenerAttributes",
      "elasticloadbalancing:DescribeListenerCertificates",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeLoadBalancerAttributes",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeRules",
      "elasticloadbalancing:DescribeTags",
      "elasticloadbalancing:DescribeTargetGroupAttributes",
      "elasticloadbalancing:DescribeTargetGroups",
      "cloudfront:ListCachePolicies",
      "cloudfront:ListOriginRequestPolicies",
      "iam:ListOpenIDConnectProviders",
      "kms:ListAliases",
      "logs:DescribeLogGroups",
      "servicediscovery:GetOperation",
      "sns:GetSubscriptionAttributes",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "ReadTheState"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid       = "ReadTheStateObject"
    actions   = ["s3:GetObject"]
    resources = ["${local.state_bucket_arn}/${var.state_key}"]
  }

  statement {
    # `use_lockfile`: the S3 backend locks by writing <key>.tflock, and only that.
    sid       = "TakeTheStateLock"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_bucket_arn}/${var.state_key}.tflock"]
  }

  statement {
    # Bucket-level reads on the buckets themselves, never on their objects.
    sid = "ReadTheBucketsConfiguration"
    actions = [
      "s3:GetAccelerateConfiguration",
      "s3:GetBucket*",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:ListBucket",
    ]
    resources = local.stack_bucket_arns
  }

  statement {
    sid       = "ReadTheRoles"
    actions   = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies"]
    resources = concat(local.stack_role_arns, [local.flow_logs_role_arns])
  }

  statement {
    sid       = "ReadTheApplyRolesPolicies"
    actions   = ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags", "iam:ListPolicyVersions"]
    resources = [local.apply_policy_arns]
  }

  statement {
    sid       = "ReadTheOidcProvider"
    actions   = ["iam:GetOpenIDConnectProvider"]
    resources = [local.oidc_provider_arn]
  }

  statement {
    sid       = "ReadTheRepositorySettingsNotItsImages"
    actions   = ["ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource"]
    resources = var.ecr_repository_arns
  }

  statement {
    sid       = "ReadTheClusterAndServices"
    actions   = ["ecs:DescribeClusters", "ecs:DescribeServices", "ecs:ListTagsForResource"]
    resources = concat([local.cluster_arn], local.service_arns, local.task_definition_arns)
  }

  statement {
    # Namespaces are named by an id Cloud Map assigns.
    sid       = "ReadTheNamespace"
    actions   = ["servicediscovery:GetNamespace", "servicediscovery:ListTagsForResource"]
    resources = ["${local.regional_arn.servicediscovery}:namespace/*"]
  }

  statement {
    # Keys are named by an id KMS assigns; their metadata only, never a decryption.
    sid       = "ReadTheAlarmTopicsKey"
    actions   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]
    resources = ["${local.regional_arn.kms}:key/*"]
  }

  dynamic "statement" {
    for_each = length(local.queue_arns) > 0 ? [1] : []
    content {
      sid       = "ReadTheQueuesNotTheirMessages"
      actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"]
      resources = local.queue_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.schedule_arns) > 0 ? [1] : []
    content {
      sid       = "ReadTheSchedulesAndTheirRules"
      actions   = ["events:DescribeRule", "events:ListTagsForResource", "events:ListTargetsByRule", "scheduler:GetSchedule", "scheduler:ListTagsForResource"]
      resources = concat(local.schedule_arns, [local.rule_arns])
    }
  }

  dynamic "statement" {
    for_each = local.has_site ? [1] : []
    content {
      # Distributions and their policies are named by ids CloudFront assigns.
      sid = "ReadTheDistribution"
      actions = [
        "cloudfront:GetCachePolicy",
        "cloudfront:GetDistribution",
        "cloudfront:GetOriginAccessControl",
        "cloudfront:GetOriginRequestPolicy",
        "cloudfront:GetResponseHeadersPolicy",
        "cloudfront:ListTagsForResource",
      ]
      resources = [
        "${local.cloudfront_arn}:distribution/*",
        "${local.cloudfront_arn}:origin-access-control/*",
        "${local.cloudfront_arn}:response-headers-policy/*",
        "${local.cloudfront_arn}:cache-policy/*",
        "${local.cloudfront_arn}:origin-request-policy/*",
      ]
    }
  }

  statement {
    # Scalable targets are named by an id AWS assigns.
    sid       = "ReadTheScalingTarget"
    actions   = ["application-autoscaling:ListTagsForResource"]
    resources = ["${local.regional_arn["application-autoscaling"]}:scalable-target/*"]
  }

  statement {
    sid       = "ReadTheLogGroupsNotTheirEvents"
    actions   = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    resources = concat(local.stack_log_group_arns, [for arn in local.stack_log_group_arns : "${arn}:*"])
  }

  statement {
    sid       = "ReadTheAlarms"
    actions   = ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"]
    resources = local.alarm_arns
  }

  statement {
    sid       = "ReadTheAlarmTopic"
    actions   = ["sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:ListTagsForResource"]
    resources = [local.topic_arn]
  }

  statement {
    sid       = "DescribeTheSecretsNeverTheirValues"
    actions   = ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"]
    resources = [local.secret_arns]
  }

  statement {
    # Certificates are named by an id ACM assigns.
    sid       = "ReadTheCertificates"
    actions   = ["acm:DescribeCertificate", "acm:ListTagsForCertificate"]
    resources = ["${local.regional_arn.acm}:certificate/*", local.site_certificate_arns]
  }

  dynamic "statement" {
    for_each = var.db_identifier == null ? [] : [1]
    content {
      sid       = "ReadTheDatabaseSettings"
      actions   = ["rds:DescribeDBInstances", "rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"]
      resources = local.database_arns
    }
  }

  dynamic "statement" {
    for_each = var.route53_zone_id == null ? [] : [1]
    content {
      sid       = "ReadTheZone"
      actions   = ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"]
      resources = ["arn:${local.partition}:route53:::hostedzone/${var.route53_zone_id}"]
    }
  }

  dynamic "statement" {
    for_each = var.route53_zone_id == null ? [] : [1]
    content {
      sid       = "FollowRecordChanges"
      actions   = ["route53:GetChange"]
      resources = ["arn:${local.partition}:route53:::change/*"]
    }
  }
}

data "aws_iam_policy_document" "change_network" {
  # EC2 names resources by ids it assigns: a network resource is this stack's when it carries
  # every tag of var.stack_tags. Each create action may make only its own kind of resource, and
  # only with those tags; everything it touches that exists already must carry them.
  dynamic "statement" {
    for_each = local.network_creations
    content {
      sid       = "${statement.key}Tagged"
      actions   = ["ec2:${statement.key}"]
      resources = ["${local.regional_arn.ec2}:${statement.value}/*"]
      dynamic "condition" {
        for_each = var.stack_tags
        content {
          test     = "StringEquals"
          variable = "aws:RequestTag/${condition.key}"
          values   = [condition.value]
        }
      }
    }
  }

  statement {
    sid       = "TagNetworkResourcesAsTheyAreCreated"
    actions   = ["ec2:CreateTags"]
    resources = ["${local.regional_arn.ec2}:*/*"]
    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = keys(local.network_creations)
    }
  }

  statement {
    # The VPC's default security group is adopted (tagged, emptied) when the VPC is made,
    # which the first apply does with administrator credentials.
    sid = "ChangeOnlyThisStacksNetwork"
    actions = concat([for action in keys(local.network_creations) : "ec2:${action}"], [
      "ec2:AssociateRouteTable",
      "ec2:AttachInternetGateway",
      "ec2:CreateRoute",
      "ec2:CreateTags",
      "ec2:DeleteFlowLogs",
      "ec2:DeleteInternetGateway",
      "ec2:DeleteNatGateway",
      "ec2:DeleteRoute",
      "ec2:DeleteRouteTable",
      "ec2:DeleteSecurityGroup",
      "ec2:DeleteSubnet",
      "ec2:DeleteTags",
      "ec2:DeleteVpc",
      "ec2:DeleteVpcEndpoints",
      "ec2:DetachInternetGateway",
      "ec2:DisassociateRouteTable",
      "ec2:ModifySecurityGroupRules",
      "ec2:ModifySubnetAttribute",
      "ec2:ModifyVpcAttribute",
      "ec2:ModifyVpcEndpoint",
      "ec2:ReleaseAddress",
      "ec2:ReplaceRoute",
      "ec2:ReplaceRouteTableAssociation",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
      "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ])
    resources = ["${local.regional_arn.ec2}:*/*"]
    dynamic "condition" {
      for_each = var.stack_tags
      content {
        test     = "StringEquals"
        variable = "aws:ResourceTag/${condition.key}"
        values   = [condition.value]
      }
    }
  }
}

data "aws_iam_policy_document" "change_services" {
  statement {
    sid = "ManageTheRepository"
    actions = [
      "ecr:CreateRepository",
      "ecr:DeleteLifecyclePolicy",
      "ecr:DeleteRepository",
      "ecr:PutImageScanningConfiguration",
      "ecr:PutImageTagMutability",
      "ecr:PutLifecyclePolicy",
      "ecr:TagResource",
      "ecr:UntagResource",
    ]
    resources = var.ecr_repository_arns
  }

  statement {
    sid = "ManageTheClusterAndServices"
    actions = [
      "ecs:CreateCluster",
      "ecs:CreateService",
      "ecs:DeleteCluster",
      "ecs:DeleteService",
      "ecs:PutClusterCapacityProviders",
      "ecs:TagResource",
      "ecs:UntagResource",
      "ecs:UpdateCluster",
      "ecs:UpdateClusterSettings",
      "ecs:UpdateService",
    ]
    resources = concat([local.cluster_arn], local.service_arns, local.task_definition_arns)
  }

  statement {
    sid       = "TaskDefinitionsHaveNoResourceLevelPermissions"
    actions   = ["ecs:DeregisterTaskDefinition", "ecs:RegisterTaskDefinition"]
    resources = ["*"]
  }

  statement {
    # Scalable targets are named by an id AWS assigns.
    sid = "ManageTheScalingTarget"
    actions = [
      "application-autoscaling:DeleteScalingPolicy",
      "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy",
      "application-autoscaling:RegisterScalableTarget",
      "application-autoscaling:TagResource",
      "application-autoscaling:UntagResource",
    ]
    resources = ["${local.regional_arn["application-autoscaling"]}:scalable-target/*"]
  }

  statement {
    sid       = "ManageTheAlarms"
    actions   = ["cloudwatch:DeleteAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
    resources = local.alarm_arns
  }

  statement {
    sid = "ManageTheAlarmTopic"
    actions = [
      "sns:CreateTopic",
      "sns:DeleteTopic",
      "sns:SetTopicAttributes",
      "sns:Subscribe",
      "sns:TagResource",
      "sns:UntagResource",
    ]
    resources = [local.topic_arn]
  }

  statement {
    # Subscriptions are named by an id SNS assigns, and these actions take no resource.
    sid       = "SubscriptionsHaveNoResourceLevelPermissions"
    actions   = ["sns:SetSubscriptionAttributes", "sns:Unsubscribe"]
    resources = ["*"]
  }

  statement {
    sid = "ManageTheLogGroupsNotTheirEvents"
    actions = [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:DeleteRetentionPolicy",
      "logs:PutRetentionPolicy",
      "logs:TagLogGroup",
      "logs:TagResource",
      "logs:UntagLogGroup",
      "logs:UntagResource",
    ]
    resources = concat(local.stack_log_group_arns, [for arn in local.stack_log_group_arns : "${arn}:*"])
  }

  dynamic "statement" {
    for_each = local.has_load_balancer ? [1] : []
    content {
      sid = "ManageTheLoadBalancer"
      actions = [
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:RemoveTags",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetSubnets",
      ]
      resources = local.load_balancer_arns
    }
  }

  statement {
    sid       = "RequestCertificateHasNoResourceLevelPermissions"
    actions   = ["acm:RequestCertificate"]
    resources = ["*"]
  }

  statement {
    # ACM names certificates by ids it assigns; deleting one needs this stack's tags on it.
    sid       = "TagCertificates"
    actions   = ["acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"]
    resources = ["${local.regional_arn.acm}:certificate/*", local.site_certificate_arns]
  }

  statement {
    sid       = "DeleteOnlyThisStacksCertificates"
    actions   = ["acm:DeleteCertificate"]
    resources = ["${local.regional_arn.acm}:certificate/*", local.site_certificate_arns]
    dynamic "condition" {
      for_each = var.stack_tags
      content {
        test     = "StringEquals"
        variable = "aws:ResourceTag/${condition.key}"
        values   = [condition.value]
      }
    }
  }

  dynamic "statement" {
    for_each = var.route53_zone_id == null ? [] : [1]
    content {
      # Only the service's name and its certificate's validation records.
      sid       = "ChangeOnlyThisDomainsRecords"
      actions   = ["route53:ChangeResourceRecordSets"]
      resources = ["arn:${local.partition}:route53:::hostedzone/${var.route53_zone_id}"]
      condition {
        test     = "ForAllValues:StringLike"
        variable = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
        values   = [lower(var.domain_name), "origin.${lower(var.domain_name)}", "_*.${lower(var.domain_name)}"]
      }
    }
  }
}

data "aws_iam_policy_document" "change_identity_and_data" {
  statement {
    sid       = "WriteTheState"
    actions   = ["s3:PutObject"]
    resources = ["${local.state_bucket_arn}/${var.state_key}"]
  }

  statement {
    sid = "ConfigureTheBucketsNotTheirObjects"
    actions = [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
    ]
    resources = local.stack_bucket_arns
  }

  statement {
    # The roles this stack defines, its own included: who merges to the default branch and
    # passes the environment's reviewers decides what they may do.
    sid = "ManageOnlyThisStacksRoles"
    actions = [
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:ListInstanceProfilesForRole",
      "iam:PutRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]
    resources = concat(local.stack_role_arns, [local.flow_logs_role_arns])
  }

  statement {
    sid       = "PassOnlyTheTaskRoles"
    actions   = ["iam:PassRole"]
    resources = var.task_role_arns
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  dynamic "statement" {
    for_each = length(var.scheduler_role_arns) > 0 ? [1] : []
    content {
      sid       = "PassOnlyTheSchedulerRoles"
      actions   = ["iam:PassRole"]
      resources = var.scheduler_role_arns
      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["scheduler.amazonaws.com"]
      }
    }
  }

  statement {
    sid       = "PassOnlyTheFlowLogsRole"
    actions   = ["iam:PassRole"]
    resources = [local.flow_logs_role_arns]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["vpc-flow-logs.amazonaws.com"]
    }
  }

  statement {
    # Each service makes its service-linked role on first use in an account.
    sid       = "CreateTheServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.iam_arn}:role/aws-service-role/*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com"]
    }
  }

  statement {
    # The apply role's own policies (below): too large for one inline policy.
    sid = "ManageOnlyTheApplyRolesPolicies"
    actions = [
      "iam:CreatePolicy",
      "iam:CreatePolicyVersion",
      "iam:DeletePolicy",
      "iam:DeletePolicyVersion",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "iam:ListPolicyVersions",
      "iam:TagPolicy",
      "iam:UntagPolicy",
    ]
    resources = [local.apply_policy_arns]
  }

  statement {
    sid       = "AttachOnlyThosePolicies"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = ["${local.iam_arn}:role/${var.apply_role_name}"]
    condition {
      test     = "ArnLike"
      variable = "iam:PolicyARN"
      values   = [local.apply_policy_arns]
    }
  }

  dynamic "statement" {
    for_each = var.create_github_oidc_provider ? [1] : []
    content {
      sid = "ManageTheOidcProviderThisStackOwns"
      actions = [
        "iam:AddClientIDToOpenIDConnectProvider",
        "iam:CreateOpenIDConnectProvider",
        "iam:DeleteOpenIDConnectProvider",
        "iam:RemoveClientIDFromOpenIDConnectProvider",
        "iam:TagOpenIDConnectProvider",
        "iam:UntagOpenIDConnectProvider",
        "iam:UpdateOpenIDConnectProviderThumbprint",
      ]
      resources = ["${local.iam_arn}:oidc-provider/${local.oidc_host}"]
    }
  }

  statement {
    sid = "ManageTheSecretContainersNeverTheirValues"
    actions = [
      "secretsmanager:CreateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:TagResource",
      "secretsmanager:UntagResource",
      "secretsmanager:UpdateSecret",
    ]
    resources = [local.secret_arns]
  }

  dynamic "statement" {
    for_each = var.db_identifier == null ? [] : [1]
    content {
      sid = "ManageTheDatabase"
      actions = [
        "rds:AddTagsToResource",
        "rds:CreateDBInstance",
        "rds:CreateDBParameterGroup",
        "rds:CreateDBSnapshot",
        "rds:CreateDBSubnetGroup",
        "rds:DeleteDBInstance",
        "rds:DeleteDBParameterGroup",
        "rds:DeleteDBSubnetGroup",
        "rds:ModifyDBInstance",
        "rds:ModifyDBParameterGroup",
        "rds:ModifyDBSubnetGroup",
        "rds:RemoveTagsFromResource",
      ]
      # The engine's default option group, and the final snapshot a production instance leaves.
      resources = concat(local.database_arns, [
        "${local.regional_arn.rds}:og:default:postgres-*",
        "${local.regional_arn.rds}:snapshot:${var.db_identifier}-final",
      ])
    }
  }

  dynamic "statement" {
    for_each = var.db_identifier == null ? [] : [1]
    content {
      # RDS keeps the master password in a secret it names rds!db-<id>; IAM cannot tell
      # this instance's from another's.
      sid       = "LetRdsManageItsMasterSecret"
      actions   = ["secretsmanager:CreateSecret", "secretsmanager:RotateSecret", "secretsmanager:TagResource"]
      resources = ["${local.regional_arn.secretsmanager}:secret:rds!*"]
    }
  }
}

data "aws_iam_policy_document" "change_delivery" {
  statement {
    # Cloud Map names namespaces by ids it assigns; creating one has no resource.
    sid       = "CreateTheNamespace"
    actions   = ["servicediscovery:CreateHttpNamespace", "servicediscovery:TagResource"]
    resources = ["*"]
  }

  statement {
    sid       = "DeleteOnlyThisStacksNamespace"
    actions   = ["servicediscovery:DeleteNamespace", "servicediscovery:UntagResource", "servicediscovery:UpdateHttpNamespace"]
    resources = ["${local.regional_arn.servicediscovery}:namespace/*"]
    dynamic "condition" {
      for_each = var.stack_tags
      content {
        test     = "StringEquals"
        variable = "aws:ResourceTag/${condition.key}"
        values   = [condition.value]
      }
    }
  }

  statement {
    # KMS names keys by ids it assigns; the alarm topic's key is made with this stack's tags.
    sid       = "CreateKeysHasNoResourceLevelPermissions"
    actions   = ["kms:CreateKey"]
    resources = ["*"]
    dynamic "condition" {
      for_each = var.stack_tags
      content {
        test     = "StringEquals"
        variable = "aws:RequestTag/${condition.key}"
        values   = [condition.value]
      }
    }
  }

  statement {
    sid = "ManageOnlyThisStacksKeys"
    actions = [
      "kms:EnableKeyRotation",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateKeyDescription",
    ]
    resources = ["${local.regional_arn.kms}:key/*"]
    dynamic "condition" {
      for_each = var.stack_tags
      content {
        test     = "StringEquals"
        variable = "aws:ResourceTag/${condition.key}"
        values   = [condition.value]
      }
    }
  }

  statement {
    sid       = "ManageTheKeysAlias"
    actions   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = ["${local.regional_arn.kms}:alias/${var.alarm_topic_name}", "${local.regional_arn.kms}:key/*"]
  }

  dynamic "statement" {
    for_each = length(local.queue_arns) > 0 ? [1] : []
    content {
      sid = "ManageTheQueues"
      actions = [
        "sqs:CreateQueue",
        "sqs:DeleteQueue",
        "sqs:SetQueueAttributes",
        "sqs:TagQueue",
        "sqs:UntagQueue",
      ]
      resources = local.queue_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.schedule_arns) > 0 ? [1] : []
    content {
      sid       = "ManageTheSchedulesAndTheirRules"
      actions   = ["events:DeleteRule", "events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:TagResource", "events:UntagResource", "scheduler:CreateSchedule", "scheduler:DeleteSchedule", "scheduler:TagResource", "scheduler:UntagResource", "scheduler:UpdateSchedule"]
      resources = concat(local.schedule_arns, [local.rule_arns])
    }
  }

  dynamic "statement" {
    for_each = local.has_site ? [1] : []
    content {
      # Distributions and their policies are named by ids CloudFront assigns at creation.
      sid = "CreateTheDistributionHasNoResourceLevelPermissions"
      actions = [
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:CreateResponseHeadersPolicy",
      ]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.has_site ? [1] : []
    content {
      sid = "ManageTheDistribution"
      actions = [
        "cloudfront:CreateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:DeleteOriginAccessControl",
        "cloudfront:DeleteResponseHeadersPolicy",
        "cloudfront:TagResource",
        "cloudfront:UntagResource",
        "cloudfront:UpdateDistribution",
        "cloudfront:UpdateOriginAccessControl",
        "cloudfront:UpdateResponseHeadersPolicy",
      ]
      resources = [
        "${local.cloudfront_arn}:distribution/*",
        "${local.cloudfront_arn}:origin-access-control/*",
        "${local.cloudfront_arn}:response-headers-policy/*",
      ]
    }
  }
}
