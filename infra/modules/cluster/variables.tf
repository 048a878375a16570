variable "cluster_name" {
  description = "Name of the ECS cluster every service and job of the environment runs in."
  type        = string
}

variable "namespace_name" {
  description = "Name of the Cloud Map HTTP namespace Service Connect publishes backends in."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
