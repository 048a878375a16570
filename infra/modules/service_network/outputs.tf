output "security_group_ids" {
  description = "Service name => its tasks' security group."
  value       = { for name, group in aws_security_group.this : name => group.id }
}
