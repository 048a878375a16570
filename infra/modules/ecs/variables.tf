variable "cluster_name" {
  description = "Name of the ECS cluster."
  type        = string
}

variable "service_name" {
  description = "Name of the ECS service."
  type        = string
}

variable "task_family" {
  description = "Family of the task definition; deploy.yml registers new revisions of it."
  type        = string
}

variable "container_name" {
  description = "Name of the application container (deploy.yml swaps its image)."
  type        = string
  default     = "app"
}

variable "image" {
  description = "Image of the first task definition (registry/repository:tag). Later images come from deploy.yml, which Terraform leaves alone."
  type        = string
}

variable "cpu" {
  description = "Task CPU units (256 = 1/4 vCPU)."
  type        = number
}

variable "memory" {
  description = "Task memory in MiB (a valid Fargate pair with cpu)."
  type        = number
}

variable "container_port" {
  description = "Port the application listens on."
  type        = number
}

variable "health_path" {
  description = "Path the container health check requests."
  type        = string
}

variable "desired_count" {
  description = "Tasks to run at first; autoscaling then moves it between min_count and max_count."
  type        = number
}

variable "min_count" {
  description = "Fewest tasks autoscaling keeps."
  type        = number
}

variable "max_count" {
  description = "Most tasks autoscaling starts."
  type        = number
}

variable "cpu_target_percent" {
  description = "Average CPU that autoscaling aims for."
  type        = number
  default     = 60
}

variable "environment" {
  description = "Plain settings passed to the container (never secrets)."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Environment variable name => Secrets Manager ARN (optionally ARN:json-key::) read at task start."
  type        = map(string)
  default     = {}
}

variable "execution_role_arn" {
  description = "Role ECS uses to pull the image, write logs and read secrets."
  type        = string
}

variable "task_role_arn" {
  description = "Role the application runs as."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the service's security group."
  type        = string
}

variable "vpc_cidr_block" {
  description = "IPv4 range of the VPC (tasks may reach the database inside it)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets the tasks run in (no public addresses)."
  type        = list(string)
}

variable "load_balancer_security_group_id" {
  description = "Only this security group may reach the tasks."
  type        = string
}

variable "target_group_arn" {
  description = "Target group the tasks register in."
  type        = string
}

variable "log_group_name" {
  description = "CloudWatch log group of the containers."
  type        = string
}

variable "log_retention_days" {
  description = "Days to keep container logs."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
