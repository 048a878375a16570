variable "secrets_prefix" {
  description = "Prefix of every secret name, e.g. shop/dev/."
  type        = string
}

variable "secret_names" {
  description = "Names of the secrets the services read (values are put by an operator, never by Terraform)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
