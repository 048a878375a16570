variable "image_tag" {
  description = "Image tag of the first task definitions. Leave null on the first apply: the services start with 0 tasks and the schedules off, and deploy.yml starts them with the first images built."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "An issued ACM certificate for the load balancer's name (the domain, or origin.<domain> with a static site), when the hosted zone is not in this account (otherwise leave null: the certificate is created and validated by DNS)."
  type        = string
  default     = null
}

variable "site_certificate_arn" {
  description = "An issued ACM certificate in us-east-1 for the domain CloudFront serves, when the hosted zone is not in this account (otherwise leave null)."
  type        = string
  default     = null
}

variable "github_owner_id" {
  description = "Numeric id of the repository's owner. Set it with github_repository_id when GitHub sends OIDC subjects in the immutable-id form (repo:OWNER@ID/NAME@ID:...)."
  type        = number
  default     = null
}

variable "github_repository_id" {
  description = "Numeric id of the repository (see github_owner_id)."
  type        = number
  default     = null
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider here. false (default): setup-oidc.sh created it."
  type        = bool
  default     = false
}

variable "alarm_emails" {
  description = "Addresses that receive alarm notifications."
  type        = list(string)
  default     = []
}
