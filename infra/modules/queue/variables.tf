variable "queue_name" {
  description = "Name of the worker's queue."
  type        = string
}

variable "dead_letter_queue_name" {
  description = "Name of its dead-letter queue."
  type        = string
}

variable "visibility_timeout_seconds" {
  description = "How long a received message stays hidden from other receivers (longer than the worker takes to handle one)."
  type        = number
  default     = 60
}

variable "max_receive_count" {
  description = "Receives after which a message moves to the dead-letter queue."
  type        = number
  default     = 5
}

variable "message_retention_seconds" {
  description = "How long the queue keeps a message nobody handled."
  type        = number
  default     = 345600
}

variable "alarm_name_prefix" {
  description = "Prefix of the alarm's name, e.g. shop-mailer-dev-."
  type        = string
}

variable "alarm_topic_arn" {
  description = "SNS topic the dead-letter alarm notifies."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
