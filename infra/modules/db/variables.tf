variable "identifier" {
  description = "RDS instance identifier (at most 63 characters)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database's security group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets in at least two zones."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect (the service's tasks); nothing else is admitted."
  type        = list(string)
}

variable "engine_version" {
  description = "PostgreSQL major version, e.g. \"16\"."
  type        = string
  default     = "16"
}

variable "instance_class" {
  description = "Instance class, e.g. db.t4g.micro."
  type        = string
  default     = "db.t4g.micro"
}

variable "allocated_storage" {
  description = "Initial storage in GiB; storage autoscaling grows it up to 5x."
  type        = number
  default     = 20
}

variable "database_name" {
  description = "Name of the application database."
  type        = string
  default     = "app"
}

variable "username" {
  description = "Master user name; its password is generated and kept in Secrets Manager by RDS."
  type        = string
  default     = "app"
}

variable "multi_az" {
  description = "Standby in a second zone (prod)."
  type        = bool
  default     = false
}

variable "production" {
  description = "Production: deletion protection on, final snapshot kept, longer backups."
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 7
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
