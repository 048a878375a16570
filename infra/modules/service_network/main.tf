# One security group per container service, and every rule between them derived from one
# input: which backends each service calls. A backend admits exactly its callers on its port;
# a web service admits the load balancer on its port; nothing else is admitted. The database
# admits the groups of the services that use it (modules/db's client_security_group_ids).

locals {
  calls = merge([
    for caller, service in var.services : {
      for backend in service.calls : "${caller}>${backend}" => { caller = caller, backend = backend }
    }
  ]...)
  public = { for name, service in var.services : name => service if service.public }
  database_users = {
    for name, service in var.services : name => service if service.database
  }
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:modules/service attaches each group to its service's tasks; the check cannot follow a group across modules.
  for_each = var.services

  name_prefix = "${var.name_prefix}${each.key}-"
  description = "Tasks of ${each.key}: admits only what calls it"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Service = each.key })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_load_balancer" {
  for_each = local.public

  security_group_id            = aws_security_group.this[each.key].id
  description                  = "From the load balancer on the container port"
  referenced_security_group_id = var.load_balancer_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_ingress_rule" "from_caller" {
  for_each = local.calls

  security_group_id            = aws_security_group.this[each.value.backend].id
  description                  = "From ${each.value.caller}, which uses ${each.value.backend}"
  referenced_security_group_id = aws_security_group.this[each.value.caller].id
  ip_protocol                  = "tcp"
  from_port                    = var.services[each.value.backend].port
  to_port                      = var.services[each.value.backend].port
}

resource "aws_vpc_security_group_egress_rule" "to_backend" {
  for_each = local.calls

  security_group_id            = aws_security_group.this[each.value.caller].id
  description                  = "To ${each.value.backend} on its port"
  referenced_security_group_id = aws_security_group.this[each.value.backend].id
  ip_protocol                  = "tcp"
  from_port                    = var.services[each.value.backend].port
  to_port                      = var.services[each.value.backend].port
}

resource "aws_vpc_security_group_egress_rule" "https" {
  for_each = var.services

  security_group_id = aws_security_group.this[each.key].id
  description       = "HTTPS out: ECR, Secrets Manager, S3, SQS, CloudWatch and the APIs the service calls"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "database" {
  for_each = local.database_users

  security_group_id = aws_security_group.this[each.key].id
  description       = "PostgreSQL inside the VPC (the database admits only its users)"
  cidr_ipv4         = var.vpc_cidr_block
  ip_protocol       = "tcp"
  from_port         = var.database_port
  to_port           = var.database_port
}
