# One container service of a system, of any kind: its log group, execution and task roles,
# task definition and, by kind,
#   web     - an ECS service registered in its load balancer target group, CPU autoscaling,
#             alarms on unhealthy targets, 5xx answers and CPU;
#   backend - an ECS service published in the Service Connect namespace under its name, CPU
#             autoscaling and a CPU alarm;
#   worker  - an ECS service without a port, stepped between min_count and max_count on the
#             depth of its queue, and a CPU alarm;
#   job     - no ECS service: an EventBridge Scheduler schedule runs the task definition, and
#             a run that stops with a non-zero exit code notifies the alarm topic.
# What the task role may reach (buckets, queues) and what the execution role may read
# (secrets) are inputs: the composition derives them from the service's `uses`.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id     = data.aws_caller_identity.current.account_id
  partition      = data.aws_partition.current.partition
  region         = data.aws_region.current.region
  listens        = var.port != null
  is_service     = var.kind != "job"
  is_job         = var.kind == "job"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${var.names.log_group}"
  family_arn     = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${var.names.task_family}"
  uses_buckets   = length(var.bucket_arns) > 0
  sends_messages = length(var.send_queue_arns) > 0
  has_task_grant = local.uses_buckets || local.sends_messages || var.queue != null
  alarm_topic    = [var.alarm_topic_arn]

  # PORT and HEALTH_PATH are what a listening container's own health check reads.
  container_environment = merge(
    var.environment,
    local.listens ? { PORT = tostring(var.port), HEALTH_PATH = var.health_path } : {},
  )
  port_mappings = local.listens ? [{ name = "http", containerPort = var.port, protocol = "tcp", appProtocol = "http" }] : []
  # The container's own health check runs a command inside the image, so it exists only when
  # the caller knows one the image can run (its runtime's); otherwise the target group (web) or
  # the task's state (backend) judges the service.
  health_check = local.listens && var.health_check_command != null ? {
    command     = var.health_check_command
    interval    = 30
    timeout     = 5
    retries     = 3
    startPeriod = 30
  } : null
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:Application logs must never hold secrets (the app redacts them); CloudWatch's default encryption at rest applies and a KMS key costs per month.
  #checkov:skip=CKV_AWS_338:Retention is a variable (default 30 days); a year is a compliance choice, not a default.
  name              = var.names.log_group
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# --- Execution role: pull this service's image, write its log group, read its secrets.

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
    sid       = "PullThisServicesRepository"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid       = "WriteThisServicesLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  dynamic "statement" {
    for_each = length(var.readable_secret_arns) > 0 ? [1] : []
    content {
      sid       = "ReadOnlyThisServicesSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = var.readable_secret_arns
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = var.names.execution_role
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- Task role: what the application itself may reach, and nothing it does not use.

data "aws_iam_policy_document" "task" {
  count = local.has_task_grant ? 1 : 0

  dynamic "statement" {
    for_each = local.uses_buckets ? [1] : []
    content {
      sid       = "ListTheBucketsItUses"
      actions   = ["s3:ListBucket"]
      resources = var.bucket_arns
    }
  }

  dynamic "statement" {
    for_each = local.uses_buckets ? [1] : []
    content {
      sid       = "ReadWriteObjectsInTheBucketsItUses"
      actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
      resources = [for arn in var.bucket_arns : "${arn}/*"]
    }
  }

  dynamic "statement" {
    for_each = local.sends_messages ? [1] : []
    content {
      sid       = "SendToTheWorkersItUses"
      actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"]
      resources = var.send_queue_arns
    }
  }

  dynamic "statement" {
    for_each = var.queue == null ? [] : [1]
    content {
      sid       = "ReceiveAndDeleteOnItsOwnQueue"
      actions   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"]
      resources = [var.queue.arn]
    }
  }
}

resource "aws_iam_role" "task" {
  name               = var.names.task_role
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

# Nothing used, no policy: the application role can then do nothing at all.
resource "aws_iam_role_policy" "task" {
  count = local.has_task_grant ? 1 : 0

  name   = "what-it-uses"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task[0].json
}

# --- Task definition: deploy.yml registers later revisions of this family.

resource "aws_ecs_task_definition" "this" {
  family                   = var.names.task_family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  tags                     = var.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name                   = var.names.container
      image                  = var.image
      essential              = true
      readonlyRootFilesystem = true
      user                   = "10001"
      portMappings           = local.port_mappings
      environment            = [for name, value in local.container_environment : { name = name, value = value }]
      secrets                = [for name, arn in var.secrets : { name = name, valueFrom = arn }]
      linuxParameters        = { initProcessEnabled = true }
      mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
      healthCheck            = local.health_check
      stopTimeout            = local.is_job ? 120 : 30
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = local.region
          awslogs-stream-prefix = var.names.container
          mode                  = "non-blocking"
        }
      }
    }
  ])

  volume {
    name = "tmp"
  }
}

# --- web, backend, worker: an ECS service.

resource "aws_ecs_service" "this" {
  count = local.is_service ? 1 : 0

  name                              = var.names.service
  cluster                           = var.cluster_arn
  task_definition                   = aws_ecs_task_definition.this.arn
  desired_count                     = var.desired_count
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = var.load_balancer == null ? null : 60
  enable_execute_command            = false
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = false
  tags                              = var.tags

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.load_balancer == null ? [] : [var.load_balancer]
    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = var.names.container
      container_port   = var.port
    }
  }

  # Backends publish their name; the services that call one are Service Connect clients.
  dynamic "service_connect_configuration" {
    for_each = var.kind == "backend" || var.calls_backends ? [1] : []
    content {
      enabled   = true
      namespace = var.namespace_arn

      dynamic "service" {
        for_each = var.kind == "backend" ? [1] : []
        content {
          port_name      = "http"
          discovery_name = var.names.discovery_name
          client_alias {
            dns_name = var.names.discovery_name
            port     = var.port
          }
        }
      }
    }
  }

  # A deployment whose tasks never become healthy is stopped and the previous one restored.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  lifecycle {
    # deploy.yml owns the running revision and autoscaling owns the count.
    ignore_changes = [task_definition, desired_count]
  }
}

resource "aws_appautoscaling_target" "this" {
  count = local.is_service ? 1 : 0

  service_namespace  = "ecs"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this[0].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_count
  max_capacity       = var.max_count
  tags               = var.tags
}

# web and backend: keep the average CPU near the target.
resource "aws_appautoscaling_policy" "cpu" {
  count = local.is_service && var.queue == null ? 1 : 0

  name               = "${var.names.service}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# worker: more tasks the more messages wait; back to min_count once the queue is empty.
resource "aws_appautoscaling_policy" "queue_out" {
  count = var.queue == null ? 0 : 1

  name               = "${var.names.service}-queue-out"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 60
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_lower_bound = 0
      metric_interval_upper_bound = var.messages_per_task
      scaling_adjustment          = 1
    }

    step_adjustment {
      metric_interval_lower_bound = var.messages_per_task
      metric_interval_upper_bound = 10 * var.messages_per_task
      scaling_adjustment          = 2
    }

    step_adjustment {
      metric_interval_lower_bound = 10 * var.messages_per_task
      scaling_adjustment          = 5
    }
  }
}

resource "aws_appautoscaling_policy" "queue_in" {
  count = var.queue == null ? 0 : 1

  name               = "${var.names.service}-queue-in"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ExactCapacity"
    cooldown                = 300
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_upper_bound = 0
      scaling_adjustment          = var.min_count
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "queue_waiting" {
  count = var.queue == null ? 0 : 1

  alarm_name          = "${var.alarm_name_prefix}queue-waiting"
  alarm_description   = "Messages wait in ${var.queue.name}: scale ${var.names.service} out."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.queue.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.queue_out[0].arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "queue_empty" {
  count = var.queue == null ? 0 : 1

  alarm_name          = "${var.alarm_name_prefix}queue-empty"
  alarm_description   = "${var.queue.name} has been empty (nothing waiting, nothing in flight) for 10 minutes: scale ${var.names.service} in."
  comparison_operator = "LessThanOrEqualToThreshold"
  threshold           = 0
  evaluation_periods  = 10
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_appautoscaling_policy.queue_in[0].arn]
  tags                = var.tags

  metric_query {
    id          = "backlog"
    expression  = "waiting + in_flight"
    label       = "Messages waiting or being handled"
    return_data = true
  }

  metric_query {
    id = "waiting"
    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = var.queue.name }
      period      = 60
      stat        = "Maximum"
    }
  }

  metric_query {
    id = "in_flight"
    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesNotVisible"
      dimensions  = { QueueName = var.queue.name }
      period      = 60
      stat        = "Maximum"
    }
  }
}

# --- Alarms.

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  count = local.is_service ? 1 : 0

  alarm_name          = "${var.alarm_name_prefix}cpu-high"
  alarm_description   = "${var.names.service}: CPU above ${var.cpu_high_percent}% for 10 minutes (autoscaling is at its maximum or too slow)."
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = aws_ecs_service.this[0].name }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.cpu_high_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_topic
  ok_actions          = local.alarm_topic
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  count = var.load_balancer == null ? 0 : 1

  alarm_name          = "${var.alarm_name_prefix}unhealthy-hosts"
  alarm_description   = "${var.names.service}: a target failed its health check for 5 minutes: see RUNBOOK.md, 'Unhealthy targets'."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.load_balancer.arn_suffix, TargetGroup = var.load_balancer.target_group_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_topic
  ok_actions          = local.alarm_topic
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "error_rate" {
  count = var.load_balancer == null ? 0 : 1

  alarm_name          = "${var.alarm_name_prefix}5xx-rate"
  alarm_description   = "${var.names.service}: more than ${var.error_rate_percent}% of its requests answered 5xx for 5 minutes."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_percent
  evaluation_periods  = 5
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_topic
  ok_actions          = local.alarm_topic
  tags                = var.tags

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * errors / requests, 0)"
    label       = "5xx percent"
    return_data = true
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = var.load_balancer.arn_suffix, TargetGroup = var.load_balancer.target_group_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.load_balancer.arn_suffix, TargetGroup = var.load_balancer.target_group_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }
}

# --- job: EventBridge Scheduler runs the task definition in the cluster.

data "aws_iam_policy_document" "scheduler_assume" {
  count = local.is_job ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "scheduler" {
  count = local.is_job ? 1 : 0

  statement {
    sid       = "RunOnlyThisJobInThisCluster"
    actions   = ["ecs:RunTask"]
    resources = ["${local.family_arn}:*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }

  statement {
    sid       = "PassOnlyThisJobsRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.task.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  count = local.is_job ? 1 : 0

  name               = var.names.scheduler_role
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume[0].json
  tags               = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  count = local.is_job ? 1 : 0

  name   = "run-this-job"
  role   = aws_iam_role.scheduler[0].id
  policy = data.aws_iam_policy_document.scheduler[0].json
}

resource "aws_scheduler_schedule" "this" {
  #checkov:skip=CKV_AWS_297:The schedule holds a task definition ARN and network ids, no secret; AWS's own key encrypts it and a customer-managed key costs per month.
  count = local.is_job ? 1 : 0

  name                         = var.names.schedule
  description                  = "Runs ${var.names.task_family} once per occurrence"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = "UTC"
  state                        = var.schedule_enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.cluster_arn
    role_arn = aws_iam_role.scheduler[0].arn

    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.this.arn
      launch_type         = "FARGATE"
      platform_version    = "LATEST"
      task_count          = 1

      network_configuration {
        subnets          = var.subnet_ids
        security_groups  = [var.security_group_id]
        assign_public_ip = false
      }
    }

    # A run that fails is reported (below), not repeated: a job need not be idempotent.
    retry_policy {
      maximum_retry_attempts = 0
    }
  }

  lifecycle {
    # deploy.yml points the schedule at each new revision and enables it.
    ignore_changes = [state, target[0].ecs_parameters[0].task_definition_arn]
  }
}

# A run failed: ECS reports the job's task STOPPED with a container exit code other than 0
# (the job's own failure, or its timeout). The rule sends the event to the alarm topic.
resource "aws_cloudwatch_event_rule" "failed_run" {
  count = local.is_job ? 1 : 0

  name        = "${var.alarm_name_prefix}failed-run"
  description = "${var.names.task_family} stopped with a non-zero exit code"
  event_pattern = jsonencode({
    source      = ["aws.ecs"]
    detail-type = ["ECS Task State Change"]
    detail = {
      clusterArn        = [var.cluster_arn]
      lastStatus        = ["STOPPED"]
      taskDefinitionArn = [{ prefix = "${local.family_arn}:" }]
      containers        = { name = [var.names.container], exitCode = [{ anything-but = 0 }] }
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "failed_run" {
  count = local.is_job ? 1 : 0

  rule      = aws_cloudwatch_event_rule.failed_run[0].name
  target_id = "alarm-topic"
  arn       = var.alarm_topic_arn

  input_transformer {
    input_paths = {
      task   = "$.detail.taskArn"
      reason = "$.detail.stoppedReason"
    }
    input_template = "\"${var.names.task_family}: a run failed (task <task>, <reason>). See RUNBOOK.md, 'A job failed'.\""
  }
}
