variable "name" {
  description = "Prefix of the alarm names, e.g. orders-api-prod."
  type        = string
}

variable "topic_name" {
  description = "Name of the SNS topic alarms notify."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses subscribed to the topic (each must confirm the subscription email)."
  type        = list(string)
  default     = []
}

variable "cluster_name" {
  description = "ECS cluster of the service."
  type        = string
}

variable "service_name" {
  description = "ECS service to watch."
  type        = string
}

variable "load_balancer_arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch dimension)."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the target group (CloudWatch dimension)."
  type        = string
}

variable "cpu_high_percent" {
  description = "Average service CPU that raises an alarm."
  type        = number
  default     = 85
}

variable "memory_high_percent" {
  description = "Average service memory that raises an alarm."
  type        = number
  default     = 85
}

variable "error_rate_percent" {
  description = "Share of requests answered 5xx (by the targets or the load balancer) that raises an alarm."
  type        = number
  default     = 5
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
