"""Terraform checked without terraform: parse, references, module calls, provider schema."""

from __future__ import annotations

import sys
import textwrap
import types
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from renderers.terraform import TerraformFinding, analyze_terraform


@dataclass(frozen=True)
class FakeBlock:
    """The shape of renderers.provider_schema.BlockSchema, written by hand."""

    arguments: Mapping[str, bool] = field(default_factory=dict)
    attributes: frozenset[str] = frozenset()
    blocks: Mapping[str, FakeBlock] = field(default_factory=dict)


def readable(arguments: Mapping[str, bool], *computed: str) -> frozenset[str]:
    return frozenset(arguments) | {"id", *computed}


_BUCKET_ARGUMENTS = {"bucket": False, "force_destroy": False, "tags": False}
_VPC_ARGUMENTS = {"cidr_block": False, "tags": False}
_SUBNET_ARGUMENTS = {"vpc_id": True, "cidr_block": False, "availability_zone": False}
_GROUP_ARGUMENTS = {"name": False, "vpc_id": False, "ingress": False, "egress": False}
_RULE = FakeBlock(
    arguments={"id": True, "status": True},
    blocks={"expiration": FakeBlock({"days": False}), "filter": FakeBlock({"prefix": False})},
)

RESOURCES: dict[str, FakeBlock] = {
    "aws_s3_bucket": FakeBlock(
        _BUCKET_ARGUMENTS,
        readable(_BUCKET_ARGUMENTS, "arn", "bucket_domain_name"),
        {"timeouts": FakeBlock({"create": False, "delete": False})},
    ),
    "aws_s3_bucket_lifecycle_configuration": FakeBlock(
        {"bucket": True}, readable({"bucket": True}), {"rule": _RULE}
    ),
    "aws_vpc": FakeBlock(_VPC_ARGUMENTS, readable(_VPC_ARGUMENTS, "arn")),
    "aws_subnet": FakeBlock(_SUBNET_ARGUMENTS, readable(_SUBNET_ARGUMENTS, "arn")),
    # ingress/egress are attributes that Terraform lets you write as blocks.
    "aws_security_group": FakeBlock(_GROUP_ARGUMENTS, readable(_GROUP_ARGUMENTS, "arn")),
    # No attribute list: references to its attributes are not checked.
    "aws_iam_role": FakeBlock({"name": False, "assume_role_policy": True}),
}
DATA_SOURCES: dict[str, FakeBlock] = {
    "aws_availability_zones": FakeBlock({"state": False}, frozenset({"id", "state", "names"})),
    "aws_iam_policy_document": FakeBlock(
        {"version": False},
        frozenset({"id", "json", "version"}),
        {
            "statement": FakeBlock(
                {"actions": False, "resources": False, "effect": False},
                blocks={"principals": FakeBlock({"type": True, "identifiers": True})},
            )
        },
    ),
}


class FakeSchema:
    def resource(self, type_name: str) -> FakeBlock | None:
        return RESOURCES.get(type_name)

    def data_source(self, type_name: str) -> FakeBlock | None:
        return DATA_SOURCES.get(type_name)


def tf(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def analyze(files: Mapping[str, str]) -> list[TerraformFinding]:
    return analyze_terraform({path: tf(text) for path, text in files.items()}, FakeSchema())


def messages(files: Mapping[str, str]) -> list[str]:
    return [finding.message for finding in analyze(files)]


def one_file(text: str) -> list[str]:
    return messages({"main.tf": text})


# --------------------------------------------------------------------------------------------
# A clean tree
# --------------------------------------------------------------------------------------------

NETWORK_MAIN = """
data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  zones = slice(data.aws_availability_zones.available.names, 0, var.az_count)
  cidrs = [for index in range(var.az_count) : cidrsubnet(var.cidr_block, 4, index)]
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr_block
  tags       = merge(var.tags, { Name = "${var.name}-vpc" })
}

resource "aws_subnet" "private" {
  count             = var.az_count
  vpc_id            = aws_vpc.this.id
  cidr_block        = local.cidrs[count.index]
  availability_zone = local.zones[count.index]
}

resource "aws_security_group" "this" {
  name   = "${var.name}-sg"
  vpc_id = aws_vpc.this.id

  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port = ingress.value
    }
  }

  egress {
    from_port = 0
  }

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags, name]
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    effect  = "Allow"
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}
"""

NETWORK_VARIABLES = """
variable "name" {
  type = string
}

variable "cidr_block" {
  type    = string
  default = "10.0.0.0/16"
}

variable "az_count" {
  type    = number
  default = 2
}

variable "ports" {
  type    = list(number)
  default = [443]
}

variable "tags" {
  type    = map(string)
  default = {}
}
"""

NETWORK_OUTPUTS = """
output "vpc_id" {
  value = aws_vpc.this.id
}

output "private_subnet_ids" {
  value = aws_subnet.private[*].id
}

output "first_subnet_arn" {
  value = aws_subnet.private[0].arn
}

output "role_arn" {
  value = aws_iam_role.task.arn
}
"""

STORAGE_MAIN = """
resource "aws_s3_bucket" "this" {
  for_each      = toset(var.buckets)
  bucket        = each.value
  force_destroy = false

  timeouts {
    create = "10m"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id

  rule {
    id     = "expire"
    status = "Enabled"
    expiration {
      days = 30
    }
  }
}

resource "random_id" "suffix" {
  byte_length = 4
}

output "bucket_arns" {
  value = { for name, bucket in aws_s3_bucket.this : name => bucket.arn if bucket.arn != "" }
}

output "policy" {
  value = <<-EOT
    %{ for name in var.buckets ~}
    arn:aws:s3:::${name}/${path.module}
    %{ endfor ~}
    ${terraform.workspace}
  EOT
}
"""

STORAGE_VARIABLES = """
variable "buckets" {
  type = list(string)
}
"""

ENV_MAIN = """
terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
  backend "s3" {
    bucket = "state"
    key    = "dev/terraform.tfstate"
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = local.tags
  }
}

locals {
  tags = { Environment = "dev", Name = "arn:aws:s3:::bucket" }
}

variable "region" {
  type    = string
  default = "us-west-2"
}

module "network" {
  source = "../../modules/network"

  name = "orders-dev"
  tags = local.tags
}

module "storage" {
  source     = "../../modules/storage"
  depends_on = [module.network]

  buckets = ["uploads"]
}

moved {
  from = aws_s3_bucket.old
  to   = module.storage.aws_s3_bucket.this
}

import {
  to = module.network.aws_iam_role.task
  id = "orders-dev-task"
}

check "health" {
  assert {
    condition     = true
    error_message = "never"
  }
}

output "vpc_id" {
  value = module.network.vpc_id
}

output "bucket_arns" {
  value = values(module.storage.bucket_arns)
}
"""

CLEAN_TREE = {
    "infra/modules/network/main.tf": NETWORK_MAIN,
    "infra/modules/network/variables.tf": NETWORK_VARIABLES,
    "infra/modules/network/outputs.tf": NETWORK_OUTPUTS,
    "infra/modules/storage/main.tf": STORAGE_MAIN,
    "infra/modules/storage/variables.tf": STORAGE_VARIABLES,
    "infra/envs/dev/main.tf": ENV_MAIN,
}


def test_a_clean_two_module_tree_gives_no_findings() -> None:
    assert analyze(CLEAN_TREE) == []


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def test_a_file_that_does_not_parse_is_a_finding_with_its_line_not_an_exception() -> None:
    findings = analyze(
        {
            "infra/modules/x/broken.tf": 'resource "aws_vpc" "this" {\n  cidr_block = \n}\n',
            "infra/modules/y/main.tf": 'output "o" {\n  value = var.nope\n}\n',
        }
    )

    assert [(f.path, f.line) for f in findings] == [
        ("infra/modules/x/broken.tf", 2),
        ("infra/modules/y/main.tf", 2),
    ]
    assert findings[0].message.startswith("syntax error at line 2, column")


def test_an_unclosed_block_is_reported_as_an_unexpected_end_of_file() -> None:
    (finding,) = analyze({"main.tf": 'locals {\n  a = "x"\n'})

    assert finding.path == "main.tf"
    assert "unexpected end of file" in finding.message


def test_names_of_a_module_with_an_unparsable_file_are_not_reported_as_undeclared() -> None:
    findings = analyze(
        {
            "m/variables.tf": 'variable "a" {\n',
            "m/main.tf": 'output "o" {\n  value = var.a\n}\n',
        }
    )

    assert [f.path for f in findings] == ["m/variables.tf"]


# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------


def test_an_undeclared_variable_is_reported_with_its_file_and_line() -> None:
    findings = analyze(
        {
            "infra/modules/ecs/variables.tf": """
                variable "cluster_name" {}
                variable "subnet_id" {}
            """,
            "infra/modules/ecs/main.tf": """
                locals {
                  name    = var.cluster_name
                  subnets = var.subnet_ids
                }
            """,
        }
    )

    assert findings == [
        TerraformFinding(
            "infra/modules/ecs/main.tf",
            3,
            "var.subnet_ids is not declared in infra/modules/ecs "
            "(did you mean subnet_id? declared: cluster_name, subnet_id)",
        )
    ]


def test_an_undeclared_local_is_reported() -> None:
    assert one_file(
        """
        locals {
          a = 1
        }
        output "o" {
          value = local.b
        }
        """
    ) == ["local.b is not declared in . (declared: a)"]


def test_a_reference_inside_a_string_literal_is_not_a_reference() -> None:
    assert (
        one_file(
            """
            variable "a" {}
            locals {
              formatted = "${format("aws_x.y %s", var.a)}"
              arn       = "arn:aws:s3:::bucket"
              service   = "ecs-tasks.amazonaws.com"
              looks     = "var.nothing and local.nothing"
              escaped   = "$${var.nothing}"
            }
            """
        )
        == []
    )


def test_an_interpolation_inside_a_string_is_checked() -> None:
    assert one_file('output "o" {\n  value = "x-${var.missing}-y"\n}\n') == [
        "var.missing is not declared in . (none declared)"
    ]


def test_references_in_a_heredoc_are_checked_on_their_own_line() -> None:
    findings = analyze(
        {
            "main.tf": """
                variable "name" {}
                output "policy" {
                  value = <<EOT
                {
                  "name": "${var.name}",
                  "other": "${var.other}"
                }
                EOT
                }
            """
        }
    )

    assert [(f.line, f.message) for f in findings] == [
        (6, "var.other is not declared in . (declared: name)")
    ]


def test_for_expression_iterators_are_not_references() -> None:
    assert (
        one_file(
            """
            variable "subnets" {}
            variable "tags" {}
            locals {
              ids   = [for s in var.subnets : s.id if s.public]
              pairs = { for k, v in var.tags : lower(k) => v... }
              both  = [for i, s in var.subnets : "${i}-${s.name}"]
            }
            """
        )
        == []
    )


def test_a_for_iterator_is_out_of_scope_outside_its_expression() -> None:
    assert one_file(
        """
        variable "subnets" {}
        locals {
          ids   = [for s in var.subnets : s.id]
          wrong = s.id
        }
        """
    ) == [
        's.id: "s" is not var, local, module, data, a resource type followed by .NAME, '
        "or an iterator in scope"
    ]


def test_the_collection_of_a_for_expression_is_checked() -> None:
    assert one_file("locals {\n  ids = [for s in var.subnets : s.id]\n}\n") == [
        "var.subnets is not declared in . (none declared)"
    ]


def test_template_for_directive_iterators_are_not_references() -> None:
    assert (
        one_file(
            """
            variable "names" {}
            locals {
              quoted = "%{ for n in var.names }${n},%{ endfor }"
            }
            """
        )
        == []
    )


def test_builtin_references_are_allowed_where_they_exist() -> None:
    assert (
        one_file(
            """
            variable "names" {}
            resource "aws_vpc" "counted" {
              count      = 2
              cidr_block = "10.${count.index}.0.0/16"
              tags       = { Module = path.module, Root = path.root, Workspace = terraform.workspace }
            }
            resource "aws_vpc" "each" {
              for_each   = toset(var.names)
              cidr_block = each.value
              tags       = { Name = each.key }

              provisioner "local-exec" {
                command = "echo ${self.id} ${path.cwd}"
                when    = destroy
              }
            }
            """
        )
        == []
    )


def test_count_index_in_a_block_without_count_is_reported() -> None:
    assert one_file(
        """
        resource "aws_vpc" "this" {
          cidr_block = "10.${count.index}.0.0/16"
          tags       = { Name = each.key, Where = path.modul }
        }
        """
    ) == [
        'count.index is used in resource "aws_vpc" "this", which sets no count',
        'each.key is used in resource "aws_vpc" "this", which sets no for_each',
        "path.modul is not valid; use path.module or path.root or path.cwd",
    ]


def test_an_undeclared_module_is_reported() -> None:
    assert one_file('output "o" {\n  value = module.network.vpc_id\n}\n') == [
        "module.network is not declared in . (none declared)"
    ]


def test_a_module_output_the_called_module_does_not_declare_is_reported() -> None:
    findings = analyze(
        {
            "infra/modules/network/outputs.tf": 'output "vpc_id" {\n  value = "x"\n}\n',
            "infra/envs/dev/main.tf": """
                module "network" {
                  source = "../../modules/network"
                }
                output "vpc" {
                  value = module.network.vpcid
                }
            """,
        }
    )

    assert findings == [
        TerraformFinding(
            "infra/envs/dev/main.tf",
            5,
            'module.network.vpcid: infra/modules/network declares no output "vpcid" '
            "(did you mean vpc_id? declared: vpc_id)",
        )
    ]


def test_a_module_with_a_remote_source_is_reported_once_as_not_checkable() -> None:
    assert one_file(
        """
        module "vpc" {
          source  = "terraform-aws-modules/vpc/aws"
          version = "~> 5.0"
          cidr    = "10.0.0.0/16"
        }
        output "a" {
          value = module.vpc.vpc_id
        }
        output "b" {
          value = module.vpc.private_subnets
        }
        """
    ) == [
        'module "vpc": source "terraform-aws-modules/vpc/aws" is not a local path (./ or ../); '
        "its variables and outputs are not checked"
    ]


def test_an_undeclared_data_source_is_reported() -> None:
    assert one_file(
        """
        data "aws_availability_zones" "available" {}
        output "o" {
          value = data.aws_availability_zones.all.names
        }
        """
    ) == [
        "data.aws_availability_zones.all is not declared in . "
        "(data aws_availability_zones: available)"
    ]


def test_an_undeclared_resource_is_reported_and_a_data_source_of_that_name_suggested() -> None:
    assert one_file(
        """
        data "aws_vpc" "main" {}
        output "o" {
          value = aws_vpc.main.id
        }
        """
    ) == [
        'data "aws_vpc" "main": aws_vpc is not a data source of the AWS provider',
        "resource aws_vpc.main is not declared in . (did you mean data.aws_vpc.main?)",
    ]


def test_an_unknown_attribute_of_a_referenced_resource_is_reported() -> None:
    assert one_file(
        """
        resource "aws_vpc" "this" {}
        resource "aws_subnet" "private" {
          count  = 2
          vpc_id = aws_vpc.this.idd
        }
        output "ids" {
          value = [aws_subnet.private[0].id, aws_subnet.private[*].arn, aws_subnet.private[*].nope]
        }
        """
    ) == [
        'aws_vpc.this.idd: aws_vpc has no attribute "idd" (did you mean id?)',
        'aws_subnet.private[*].nope: aws_subnet has no attribute "nope"',
    ]


def test_attributes_are_not_checked_when_the_schema_lists_none_for_the_type() -> None:
    assert (
        one_file(
            """
            resource "aws_iam_role" "this" {
              assume_role_policy = "{}"
            }
            output "o" {
              value = aws_iam_role.this.anything_at_all
            }
            """
        )
        == []
    )


def test_a_counted_resource_needs_an_instance_key_and_a_single_one_has_none() -> None:
    assert one_file(
        """
        resource "aws_vpc" "many" {
          count = 2
        }
        resource "aws_vpc" "one" {}
        output "a" {
          value = aws_vpc.many.id
        }
        output "b" {
          value = aws_vpc.one[0].id
        }
        """
    ) == [
        "aws_vpc.many sets count or for_each, so aws_vpc.many.id needs an instance key: "
        "aws_vpc.many[KEY].id or aws_vpc.many[*].id",
        "aws_vpc.one sets neither count nor for_each, so it has no instances to index; "
        "drop the [...]",
    ]


def test_an_unknown_name_suggests_a_close_iterator() -> None:
    assert one_file(
        """
        variable "records" {}
        locals {
          fqdns = [for record in var.records : recrd.fqdn]
        }
        """
    ) == [
        'recrd.fqdn: "recrd" is not var, local, module, data, a resource type followed by '
        ".NAME, or an iterator in scope (did you mean record?)"
    ]


# --------------------------------------------------------------------------------------------
# Module calls
# --------------------------------------------------------------------------------------------

ECS_VARIABLES = """
variable "cluster_name" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "desired_count" {
  type    = number
  default = null
}
"""


def call_ecs(arguments: str) -> list[TerraformFinding]:
    body = textwrap.indent(tf(arguments), "  ")
    return analyze(
        {
            "infra/modules/ecs/variables.tf": ECS_VARIABLES,
            "infra/envs/dev/main.tf": f'module "ecs" {{\n  source = "../../modules/ecs"\n{body}}}\n',
        }
    )


def test_a_module_call_passing_an_undeclared_variable_names_it_and_the_module() -> None:
    findings = call_ecs(
        """
        cluster_name = "c"
        subnet_ids   = []
        subnets      = []
        """
    )

    assert findings == [
        TerraformFinding(
            "infra/envs/dev/main.tf",
            5,
            'module "ecs" passes "subnets", which infra/modules/ecs does not declare '
            "(did you mean subnet_ids? declared: cluster_name, desired_count, subnet_ids)",
        )
    ]


def test_a_module_call_missing_a_required_variable_names_the_variable_and_the_module() -> None:
    findings = call_ecs('cluster_name = "c"\n')

    assert findings == [
        TerraformFinding(
            "infra/envs/dev/main.tf",
            1,
            'module "ecs" does not pass "subnet_ids", a required variable of '
            "infra/modules/ecs (it has no default)",
        )
    ]


def test_module_meta_arguments_are_not_variables() -> None:
    findings = call_ecs(
        """
        count        = 2
        depends_on   = []
        providers    = { aws = aws.east }
        cluster_name = "c-${count.index}"
        subnet_ids   = []
        """
    )

    assert findings == []


def test_a_module_call_whose_directory_is_not_in_the_tree_is_reported() -> None:
    assert messages(
        {"infra/envs/dev/main.tf": 'module "ecs" {\n  source = "../../modules/ecs"\n}\n'}
    ) == [
        'module "ecs": source "../../modules/ecs" resolves to infra/modules/ecs, '
        "which holds no .tf file"
    ]


# --------------------------------------------------------------------------------------------
# Resources and data sources against the provider schema
# --------------------------------------------------------------------------------------------


def test_an_unknown_resource_type_is_reported_but_other_providers_are_not_checked() -> None:
    assert one_file(
        """
        resource "aws_s3_bukket" "this" {}
        resource "random_id" "suffix" {
          byte_length = 4
        }
        resource "terraform_data" "marker" {
          input = random_id.suffix.hex
        }
        """
    ) == [
        'resource "aws_s3_bukket" "this": aws_s3_bukket is not a resource type of the AWS provider'
    ]


def test_an_unknown_argument_of_aws_s3_bucket_is_reported() -> None:
    findings = analyze({"main.tf": 'resource "aws_s3_bucket" "this" {\n  buckt = "x"\n}\n'})

    assert findings == [
        TerraformFinding(
            "main.tf",
            2,
            'resource "aws_s3_bucket" "this": unsupported argument "buckt" (did you mean bucket?)',
        )
    ]


def test_an_unknown_nested_block_and_its_arguments_are_reported() -> None:
    assert one_file(
        """
        resource "aws_s3_bucket_lifecycle_configuration" "this" {
          bucket = "b"
          rule {
            id     = "r"
            status = "Enabled"
            expiraton {
              days = 1
            }
            filter {
              prefx = "logs/"
            }
          }
        }
        """
    ) == [
        'resource "aws_s3_bucket_lifecycle_configuration" "this" > rule: unsupported block type '
        '"expiraton" (did you mean expiration?)',
        'resource "aws_s3_bucket_lifecycle_configuration" "this" > rule > filter: '
        'unsupported argument "prefx" (did you mean prefix?)',
    ]


def test_a_missing_required_argument_is_reported_also_in_nested_blocks() -> None:
    findings = analyze(
        {
            "main.tf": """
                resource "aws_s3_bucket_lifecycle_configuration" "this" {
                  rule {
                    id = "r"
                  }
                }
            """
        }
    )

    assert [(f.line, f.message) for f in findings] == [
        (
            1,
            'resource "aws_s3_bucket_lifecycle_configuration" "this": missing required argument "bucket"',
        ),
        (
            2,
            'resource "aws_s3_bucket_lifecycle_configuration" "this" > rule: missing required argument "status"',
        ),
    ]


def test_dynamic_block_content_is_checked_as_the_named_block() -> None:
    assert one_file(
        """
        variable "rules" {}
        resource "aws_s3_bucket_lifecycle_configuration" "this" {
          bucket = "b"
          dynamic "rule" {
            for_each = var.rules
            content {
              id     = rule.key
              statuz = rule.value
            }
          }
          dynamic "rules" {
            for_each = var.rules
            content {}
          }
        }
        """
    ) == [
        'resource "aws_s3_bucket_lifecycle_configuration" "this" > rule: missing required '
        'argument "status"',
        'resource "aws_s3_bucket_lifecycle_configuration" "this" > rule: unsupported argument '
        '"statuz" (did you mean status?)',
        'resource "aws_s3_bucket_lifecycle_configuration" "this": unsupported block type '
        '"rules" in dynamic "rules" (did you mean rule?)',
    ]


def test_a_dynamic_iterator_can_be_renamed_and_is_only_in_scope_inside_the_block() -> None:
    assert one_file(
        """
        variable "rules" {}
        resource "aws_s3_bucket_lifecycle_configuration" "this" {
          bucket = rule.value
          dynamic "rule" {
            for_each = var.rules
            iterator = r
            content {
              id     = r.key
              status = r.value.status
            }
          }
        }
        """
    ) == [
        'rule.value: "rule" is not var, local, module, data, a resource type followed by '
        ".NAME, or an iterator in scope"
    ]


def test_meta_arguments_are_valid_in_every_resource() -> None:
    assert (
        one_file(
            """
            resource "aws_vpc" "other" {}
            resource "aws_vpc" "this" {
              count      = 1
              provider   = aws.east
              depends_on = [aws_vpc.other]

              lifecycle {
                prevent_destroy      = true
                ignore_changes       = [tags["Name"], cidr_block]
                replace_triggered_by = [aws_vpc.other.id]
                precondition {
                  condition     = aws_vpc.other.cidr_block != ""
                  error_message = "no"
                }
              }

              connection {
                host = self.id
              }

              provisioner "local-exec" {
                command    = "true"
                on_failure = continue
              }
            }
            """
        )
        == []
    )


def test_timeouts_are_accepted_only_where_the_schema_has_them() -> None:
    assert one_file(
        """
        resource "aws_s3_bucket" "this" {
          timeouts {
            create = "5m"
          }
        }
        resource "aws_vpc" "this" {
          timeouts {
            create = "5m"
          }
        }
        """
    ) == ['resource "aws_vpc" "this": unsupported block type "timeouts"']


def test_a_computed_attribute_or_a_block_set_as_an_argument_is_reported() -> None:
    assert one_file(
        """
        resource "aws_s3_bucket" "this" {
          arn      = "x"
          timeouts = { create = "5m" }
        }
        """
    ) == [
        'resource "aws_s3_bucket" "this": "arn" is read-only (computed by the provider); remove it',
        'resource "aws_s3_bucket" "this": "timeouts" is a block: write timeouts { ... } '
        'without "="',
    ]


def test_an_argument_may_be_written_as_a_block() -> None:
    assert (
        one_file(
            """
            resource "aws_security_group" "this" {
              ingress {
                from_port = 443
              }
            }
            """
        )
        == []
    )


def test_data_source_arguments_are_checked_against_the_data_source_schema() -> None:
    assert one_file(
        """
        data "aws_iam_policy_document" "this" {
          statement {
            action = ["s3:GetObject"]
            principals {
              type = "AWS"
            }
          }
        }
        """
    ) == [
        'data "aws_iam_policy_document" "this" > statement: unsupported argument "action" '
        "(did you mean actions?)",
        'data "aws_iam_policy_document" "this" > statement > principals: missing required '
        'argument "identifiers"',
    ]


# --------------------------------------------------------------------------------------------
# Other blocks
# --------------------------------------------------------------------------------------------


def test_terraform_provider_moved_import_and_check_blocks_are_accepted() -> None:
    assert (
        one_file(
            """
            terraform {
              required_providers {
                aws = { source = "hashicorp/aws", version = "~> 6.0" }
              }
              backend "s3" {}
            }
            provider "aws" {
              alias  = "east"
              region = "us-east-1"
              assume_role {
                role_arn = "arn:aws:iam::111111111111:role/x"
              }
            }
            resource "aws_vpc" "new" {}
            moved {
              from = aws_vpc.old
              to   = aws_vpc.new
            }
            import {
              to = aws_vpc.new
              id = "vpc-123"
            }
            check "reachable" {
              data "http" "health" {
                url = "https://example.com"
              }
              assert {
                condition     = data.http.health.status_code == 200
                error_message = "down"
              }
            }
            """
        )
        == []
    )


def test_an_import_into_a_resource_that_is_not_declared_is_reported() -> None:
    assert messages(
        {
            "infra/modules/iam/main.tf": 'resource "aws_iam_role" "deploy" {\n  assume_role_policy = "{}"\n}\n',
            "infra/envs/dev/main.tf": """
                module "iam" {
                  source = "../../modules/iam"
                }
                import {
                  to = module.iam.aws_iam_role.build
                  id = "build"
                }
            """,
        }
    ) == ["import: resource aws_iam_role.build is not declared in infra/modules/iam"]


def test_an_unknown_top_level_block_is_reported() -> None:
    assert one_file('resources "aws_vpc" "this" {}\n') == [
        'unsupported top-level block type "resources" (did you mean resource?)'
    ]


# --------------------------------------------------------------------------------------------
# Declared twice
# --------------------------------------------------------------------------------------------


def test_an_output_or_variable_declared_twice_is_reported() -> None:
    findings = analyze(
        {
            "m/variables.tf": 'variable "name" {}\n',
            "m/outputs.tf": 'output "id" {\n  value = 1\n}\noutput "id" {\n  value = 2\n}\n',
            "m/main.tf": 'variable "name" {}\n',
        }
    )

    assert [(f.path, f.line, f.message) for f in findings] == [
        ("m/outputs.tf", 4, 'output "id" is declared twice in m (first at m/outputs.tf:1)'),
        ("m/variables.tf", 1, 'variable "name" is declared twice in m (first at m/main.tf:1)'),
    ]


def test_two_resources_with_the_same_type_and_name_are_reported() -> None:
    assert messages(
        {
            "m/a.tf": 'resource "aws_vpc" "this" {}\n',
            "m/b.tf": 'resource "aws_vpc" "this" {}\nresource "aws_subnet" "this" {\n  vpc_id = "v"\n}\n',
        }
    ) == ['resource "aws_vpc" "this" is declared twice in m (first at m/a.tf:1)']


def test_an_argument_set_twice_is_reported() -> None:
    assert one_file('resource "aws_vpc" "this" {\n  tags = {}\n  tags = {}\n}\n') == [
        'resource "aws_vpc" "this": argument "tags" is set twice'
    ]


# --------------------------------------------------------------------------------------------
# The function itself
# --------------------------------------------------------------------------------------------


def test_only_tf_files_are_considered() -> None:
    assert (
        messages(
            {
                "README.md": "var.x is not terraform {",
                "infra/envs/dev/terraform.tfvars": "x = {",
                "infra/envs/dev/.terraform/modules/m/main.tf": "not hcl {",
            }
        )
        == []
    )


def test_findings_are_sorted_by_path_line_and_message_and_repeatable() -> None:
    files = {
        "b.tf": 'output "o" {\n  value = var.z\n}\noutput "p" {\n  value = var.a\n}\n',
        "a/main.tf": 'output "o" {\n  value = [var.y, var.x]\n}\n',
    }

    first = analyze(files)

    assert first == sorted(first, key=lambda f: (f.path, f.line or 0, f.message))
    assert [f.path for f in first] == ["a/main.tf", "a/main.tf", "b.tf", "b.tf"]
    assert analyze(files) == first


def test_without_a_schema_the_provider_schema_module_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider_schema = types.ModuleType("renderers.provider_schema")
    provider_schema.resource_schema = RESOURCES.get  # type: ignore[attr-defined]
    provider_schema.data_source_schema = DATA_SOURCES.get  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "renderers.provider_schema", provider_schema)

    findings = analyze_terraform({"main.tf": 'resource "aws_vpc" "this" {\n  cidr = "x"\n}\n'})

    assert [f.message for f in findings] == [
        'resource "aws_vpc" "this": unsupported argument "cidr"'
    ]
