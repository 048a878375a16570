variable "name" {
  description = "Name of the load balancer (at most 32 characters)."
  type        = string

  validation {
    condition     = length(var.name) <= 32
    error_message = "Load balancer names are limited to 32 characters."
  }
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "vpc_cidr_block" {
  description = "IPv4 range of the VPC: the load balancer may only send to targets inside it."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets in at least two zones."
  type        = list(string)
}

variable "targets" {
  description = "Web service name => its target group's name (at most 32 characters), port, health path, the path pattern it serves (/* is the default action) and its listener rule's priority (unique)."
  type = map(object({
    target_group_name = string
    port              = number
    health_path       = string
    path              = string
    priority          = number
  }))

  validation {
    condition     = length([for target in var.targets : target if target.path == "/*"]) <= 1
    error_message = "At most one target may serve /* (the default action)."
  }

  validation {
    condition     = length(distinct([for target in var.targets : target.priority])) == length(var.targets)
    error_message = "Listener rule priorities must be unique."
  }
}

variable "domain_name" {
  description = "Public HTTPS name the load balancer answers (origin.<domain> when CloudFront is in front of it)."
  type        = string
}

variable "route53_zone_id" {
  description = "Hosted zone of domain_name: when set, the certificate is validated by DNS and an alias record is created. When null, pass certificate_arn."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "An existing ACM certificate for domain_name (used instead of creating one; needed when there is no hosted zone in this account)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn != null || var.route53_zone_id != null
    error_message = "Set route53_zone_id (SBH creates and validates the certificate) or certificate_arn (an issued certificate for domain_name)."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener: TLS 1.3 and 1.2 with forward secrecy only."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
}

variable "production" {
  description = "Production: deletion protection on, access logs kept longer."
  type        = bool
  default     = false
}

variable "access_log_retention_days" {
  description = "Days to keep access logs."
  type        = number
  default     = 90
}

variable "access_logs_bucket" {
  description = "Name of the bucket for access logs (created here, globally unique)."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
