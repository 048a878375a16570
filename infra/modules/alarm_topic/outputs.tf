output "topic_arn" {
  description = "SNS topic every alarm notifies; subscribe on-call tooling to it."
  value       = aws_sns_topic.this.arn
}

output "topic_name" {
  description = "Name of the topic."
  value       = aws_sns_topic.this.name
}
