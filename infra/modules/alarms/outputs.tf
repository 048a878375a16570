output "topic_arn" {
  description = "SNS topic every alarm notifies; subscribe on-call tooling to it."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Names of the alarms (for the runbook and dashboards)."
  value = [
    aws_cloudwatch_metric_alarm.unhealthy_hosts.alarm_name,
    aws_cloudwatch_metric_alarm.cpu_high.alarm_name,
    aws_cloudwatch_metric_alarm.memory_high.alarm_name,
    aws_cloudwatch_metric_alarm.error_rate.alarm_name,
  ]
}
