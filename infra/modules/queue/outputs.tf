output "queue_name" {
  description = "Name of the queue (CloudWatch dimension of the scaling alarms)."
  value       = aws_sqs_queue.this.name
}

output "queue_arn" {
  description = "ARN of the queue (for the policies of the worker and its senders)."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "URL of the queue (QUEUE_URL, <NAME>_QUEUE_URL)."
  value       = aws_sqs_queue.this.id
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue (RUNBOOK.md: inspect and redrive)."
  value       = aws_sqs_queue.dead_letter.id
}
