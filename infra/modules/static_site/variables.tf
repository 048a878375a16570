variable "bucket_name" {
  description = "Name of the site's bucket (globally unique)."
  type        = string
}

variable "distribution_comment" {
  description = "Comment of the distribution: deploy.yml finds the distribution by it."
  type        = string
}

variable "domain_name" {
  description = "The environment's domain, which CloudFront serves."
  type        = string
}

variable "route53_zone_id" {
  description = "Hosted zone of domain_name: when set, the certificate is validated by DNS and alias records are created. When null, pass certificate_arn."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "An issued ACM certificate for domain_name in us-east-1 (used instead of creating one; needed when there is no hosted zone in this account)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn != null || var.route53_zone_id != null
    error_message = "Set route53_zone_id (SBH creates and validates the certificate) or certificate_arn (an issued us-east-1 certificate for domain_name)."
  }
}

variable "origin_domain_name" {
  description = "The load balancer's name (origin.<domain>) when the system has web services; null otherwise."
  type        = string
  default     = null
}

variable "origin_paths" {
  description = "Path patterns of the web services, sent uncached to origin_domain_name (/* stays the site's)."
  type        = list(string)
  default     = []
}

variable "content_security_policy" {
  description = "Content-Security-Policy CloudFront adds when the answer has none."
  type        = string
  default     = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
}

variable "price_class" {
  description = "CloudFront price class (edge locations used)."
  type        = string
  default     = "PriceClass_100"
}

variable "production" {
  description = "Production: the bucket is kept on destroy while it holds files."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
