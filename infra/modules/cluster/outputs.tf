output "cluster_name" {
  description = "Name of the cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the cluster (services, scheduled tasks, policies)."
  value       = aws_ecs_cluster.this.arn
}

output "namespace_arn" {
  description = "ARN of the Service Connect namespace."
  value       = aws_service_discovery_http_namespace.this.arn
}
