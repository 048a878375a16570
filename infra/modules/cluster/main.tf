# One cluster per environment for every container service, and the Cloud Map namespace that
# ECS Service Connect publishes the backends in (clients call http://<name>:<port>).

resource "aws_service_discovery_http_namespace" "this" {
  name        = var.namespace_name
  description = "Service Connect names of ${var.cluster_name}"
  tags        = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.cluster_name
  tags = var.tags

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  service_connect_defaults {
    namespace = aws_service_discovery_http_namespace.this.arn
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}
