resource "aws_db_subnet_group" "this" {
  name       = var.identifier
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_security_group" "this" {
  name_prefix = "${var.identifier}-db-"
  description = "PostgreSQL from the service only"
  vpc_id      = var.vpc_id
  tags        = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = toset(var.client_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = "PostgreSQL from the service"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.identifier}-"
  family      = "postgres${var.engine_version}"
  description = "TLS only, slow statements logged"
  tags        = var.tags

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_118:Enhanced monitoring needs its own IAM role and costs per instance; Performance Insights and CloudWatch cover the defaults.
  #checkov:skip=CKV_AWS_157:Multi-AZ is a variable (on in prod via the spec's database.multi_az); a dev database does not need a standby.
  #checkov:skip=CKV_AWS_293:Deletion protection follows var.production: on in prod, off in dev so that an environment can be torn down.
  #checkov:skip=CKV_AWS_354:Performance Insights data is encrypted with the AWS-managed RDS key; a customer-managed key is a compliance choice with per-key cost.
  #checkov:skip=CKV2_AWS_30:Query logging of every statement is too noisy for a default; slow statements (>1 s) are logged via the parameter group.
  identifier     = var.identifier
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class

  db_name  = var.database_name
  username = var.username
  # RDS generates the password and keeps it in Secrets Manager: it never enters Terraform state.
  manage_master_user_password = true

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.allocated_storage * 5
  storage_type          = "gp3"
  storage_encrypted     = true

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.this.id]
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false
  multi_az               = var.multi_az

  backup_retention_period    = var.production ? max(var.backup_retention_days, 14) : var.backup_retention_days
  backup_window              = "03:00-04:00"
  maintenance_window         = "sun:04:30-sun:05:30"
  copy_tags_to_snapshot      = true
  auto_minor_version_upgrade = true
  deletion_protection        = var.production
  skip_final_snapshot        = !var.production
  final_snapshot_identifier  = var.production ? "${var.identifier}-final" : null

  iam_database_authentication_enabled = true
  performance_insights_enabled        = true
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]

  tags = var.tags
}
