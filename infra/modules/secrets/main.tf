# Application secrets of the environment: Terraform creates the empty containers under one
# prefix; an operator puts the values (RUNBOOK.md), so no value is ever in state or a plan.
# Each service's execution role reads only the containers of the secrets it declares.

resource "aws_secretsmanager_secret" "this" {
  for_each = toset(var.secret_names)
  #checkov:skip=CKV_AWS_149:The AWS-managed key (aws/secretsmanager) encrypts these; a customer-managed key is a compliance choice with per-key cost.
  #checkov:skip=CKV2_AWS_57:These hold third-party credentials whose rotation the third party controls; RDS rotates the database secret itself.

  name                    = "${var.secrets_prefix}${each.key}"
  description             = "${each.key}; value set by an operator"
  recovery_window_in_days = 7
  tags                    = var.tags
}
