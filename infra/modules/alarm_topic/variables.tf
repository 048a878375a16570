variable "topic_name" {
  description = "Name of the SNS topic (and of its key's alias)."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses subscribed to the topic (each must confirm the subscription email)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
