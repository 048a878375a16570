variable "name" {
  description = "Name of the ECR repository (the system's name)."
  type        = string
}

variable "keep_images" {
  description = "How many tagged images to keep; older ones are expired (rollback needs the last few)."
  type        = number
  default     = 30
}

variable "untagged_expiry_days" {
  description = "Days after which untagged images (build leftovers) are expired."
  type        = number
  default     = 7
}

variable "force_delete" {
  description = "Allow `terraform destroy` to delete the repository while it still holds images."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
