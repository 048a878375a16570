variable "name" {
  description = "Prefix of every resource name, e.g. orders-api-dev."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 range of the VPC; public and private subnets are carved from it."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.cidr_block))
    error_message = "cidr_block must be an IPv4 CIDR such as 10.0.0.0/16."
  }
}

variable "az_count" {
  description = "How many availability zones to span (at least 2: the load balancer and RDS need two)."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6
    error_message = "az_count must be between 2 and 6."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper, dev) instead of one per zone (resilient, prod)."
  type        = bool
  default     = true
}

variable "enable_vpc_endpoints" {
  description = "Interface endpoints for ECR, CloudWatch Logs and Secrets Manager and a gateway endpoint for S3, so image pulls and secret reads skip the NAT gateway."
  type        = bool
  default     = true
}

variable "flow_log_retention_days" {
  description = "Days to keep VPC flow logs in CloudWatch Logs."
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
