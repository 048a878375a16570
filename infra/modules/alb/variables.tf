variable "name" {
  description = "Name of the load balancer and target group (at most 32 characters)."
  type        = string

  validation {
    condition     = length(var.name) <= 32
    error_message = "Load balancer and target group names are limited to 32 characters."
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

variable "container_port" {
  description = "Port the service's containers listen on."
  type        = number
}

variable "health_path" {
  description = "Path the target group probes; it must answer 200."
  type        = string
}

variable "domain_name" {
  description = "Public HTTPS name of the service."
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
