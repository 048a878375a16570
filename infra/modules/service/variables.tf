variable "kind" {
  description = "What the service is: web, backend, worker or job."
  type        = string

  validation {
    condition     = contains(["web", "backend", "worker", "job"], var.kind)
    error_message = "kind must be web, backend, worker or job."
  }
}

variable "names" {
  description = "The service's AWS names (renderers.complete_v2.ServiceNames): service, task_family, container, log_group, execution_role, task_role, and by kind discovery_name, schedule and scheduler_role."
  type = object({
    service        = string
    task_family    = string
    container      = string
    log_group      = string
    execution_role = string
    task_role      = string
    discovery_name = optional(string)
    schedule       = optional(string)
    scheduler_role = optional(string)
  })
}

variable "cluster_arn" {
  description = "Cluster the service (or the job's runs) runs in."
  type        = string
}

variable "cluster_name" {
  description = "Name of that cluster (autoscaling and alarm dimensions)."
  type        = string
}

variable "namespace_arn" {
  description = "Service Connect namespace (backends publish their name there; their callers resolve it)."
  type        = string
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

variable "port" {
  description = "Port the container listens on (web and backend); null for workers and jobs."
  type        = number
  default     = null
}

variable "health_path" {
  description = "Path the container health check requests (web and backend)."
  type        = string
  default     = null
}

variable "health_check_command" {
  description = "ECS health-check command run inside a listening container (e.g. [\"CMD\", \"python\", \"-c\", \"...\"]); null for none, when the image's contents are not known (the person's own image)."
  type        = list(string)
  default     = null
}

variable "desired_count" {
  description = "Tasks to run at first; autoscaling then moves it between min_count and max_count."
  type        = number
  default     = 0
}

variable "min_count" {
  description = "Fewest tasks autoscaling keeps."
  type        = number
  default     = 1
}

variable "max_count" {
  description = "Most tasks autoscaling starts."
  type        = number
  default     = 4
}

variable "cpu_target_percent" {
  description = "Average CPU that autoscaling aims for (web and backend)."
  type        = number
  default     = 60
}

variable "messages_per_task" {
  description = "Waiting messages per extra task when a worker scales out."
  type        = number
  default     = 10
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

variable "readable_secret_arns" {
  description = "The secrets the execution role may read: this service's own, and the database's managed secret when it uses the database."
  type        = list(string)
  default     = []
}

variable "ecr_repository_arn" {
  description = "The service's own image repository, the only one its execution role pulls from."
  type        = string
}

variable "bucket_arns" {
  description = "The buckets the service uses: the only ones its task role reads and writes."
  type        = list(string)
  default     = []
}

variable "send_queue_arns" {
  description = "Queues of the workers the service uses: the only ones its task role sends to."
  type        = list(string)
  default     = []
}

variable "queue" {
  description = "A worker's own queue (name and ARN): it receives and deletes there, and scales on its depth. null for the other kinds."
  type = object({
    name = string
    arn  = string
  })
  default = null
}

variable "calls_backends" {
  description = "The service calls backends: it joins Service Connect as a client."
  type        = bool
  default     = false
}

variable "subnet_ids" {
  description = "Subnets the tasks run in (no public addresses)."
  type        = list(string)
}

variable "security_group_id" {
  description = "The service's security group (modules/service_network)."
  type        = string
}

variable "load_balancer" {
  description = "A web service's place on the load balancer: its target group and the CloudWatch dimensions. null for the other kinds."
  type = object({
    target_group_arn        = string
    target_group_arn_suffix = string
    arn_suffix              = string
  })
  default = null
}

variable "schedule_expression" {
  description = "A job's schedule: cron(...) or rate(...), in UTC."
  type        = string
  default     = null
}

variable "schedule_enabled" {
  description = "A job's schedule runs (false until the first image exists; deploy.yml enables it)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Days to keep container logs."
  type        = number
  default     = 30
}

variable "alarm_topic_arn" {
  description = "SNS topic the alarms (and a job's failed runs) notify."
  type        = string
}

variable "alarm_name_prefix" {
  description = "Prefix of the alarm and rule names, e.g. shop-api-dev-."
  type        = string
}

variable "cpu_high_percent" {
  description = "Average service CPU that raises an alarm."
  type        = number
  default     = 85
}

variable "error_rate_percent" {
  description = "Share of a web service's requests answered 5xx that raises an alarm."
  type        = number
  default     = 5
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
