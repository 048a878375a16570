output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Subnets for the load balancer, one per zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Subnets for tasks and the database, one per zone."
  value       = aws_subnet.private[*].id
}

output "nat_public_ips" {
  description = "Addresses the service's outbound traffic comes from (for allow-lists)."
  value       = aws_eip.nat[*].public_ip
}

output "flow_log_group_name" {
  description = "CloudWatch log group of the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "flow_logs_role_name_prefix" {
  description = "Name prefix of the role that writes the flow logs (AWS adds a unique suffix)."
  value       = local.flow_logs_role_name_prefix
}
