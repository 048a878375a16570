output "security_group_id" {
  description = "Security group of the load balancer (the web services admit traffic from it)."
  value       = aws_security_group.this.id
}

output "target_group_arns" {
  description = "Web service name => the target group it registers its tasks in."
  value       = { for name, group in aws_lb_target_group.this : name => group.arn }
}

output "arn_suffix" {
  description = "Load balancer ARN suffix (CloudWatch dimension)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffixes" {
  description = "Web service name => its target group's ARN suffix (CloudWatch dimension)."
  value       = { for name, group in aws_lb_target_group.this : name => group.arn_suffix }
}

output "dns_name" {
  description = "DNS name of the load balancer (point domain_name at it when the zone is elsewhere)."
  value       = aws_lb.this.dns_name
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener."
  value       = aws_lb_listener.https.arn
}

output "url" {
  description = "Public URL the load balancer answers."
  value       = "https://${var.domain_name}"
}
