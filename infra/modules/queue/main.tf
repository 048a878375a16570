# A worker's queue: messages that fail max_receive_count times move to the dead-letter queue,
# which keeps them for 14 days and raises an alarm as soon as it holds one. Both queues are
# encrypted with SQS-managed keys (SSE-SQS), so the roles need no KMS grant.

resource "aws_sqs_queue" "dead_letter" {
  name                      = var.dead_letter_queue_name
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600
  tags                      = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = var.queue_name
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  receive_wait_time_seconds  = 20
  tags                       = var.tags

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
}

# Only this queue may send its failures to the dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.alarm_name_prefix}dead-letters"
  alarm_description   = "${var.queue_name}: a message failed ${var.max_receive_count} times and is in ${var.dead_letter_queue_name}: see RUNBOOK.md, 'Dead letters'."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
  tags                = var.tags
}
