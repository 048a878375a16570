variable "name_prefix" {
  description = "Prefix of the security groups' names, e.g. shop-dev-."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the services."
  type        = string
}

variable "vpc_cidr_block" {
  description = "IPv4 range of the VPC (where the database listens)."
  type        = string
}

variable "services" {
  description = "Container service name => port (null for workers and jobs), public (behind the load balancer), database (uses it) and calls (the backends it uses)."
  type = map(object({
    port     = optional(number)
    public   = bool
    database = bool
    calls    = list(string)
  }))

  validation {
    condition = alltrue(flatten([
      for name, service in var.services : [
        for backend in service.calls : contains(keys(var.services), backend) && backend != name
      ]
    ]))
    error_message = "A service may call only other services of the map."
  }
}

variable "load_balancer_security_group_id" {
  description = "Security group of the load balancer (null without public services)."
  type        = string
  default     = null
}

variable "database_port" {
  description = "Port of the database."
  type        = number
  default     = 5432
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
