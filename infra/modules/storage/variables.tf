variable "buckets" {
  description = "Workspace buckets: logical name (as the app knows it) => globally unique bucket name."
  type        = map(string)
}

variable "noncurrent_version_expiration_days" {
  description = "Days to keep overwritten or deleted object versions."
  type        = number
  default     = 30
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete buckets that still hold objects."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
