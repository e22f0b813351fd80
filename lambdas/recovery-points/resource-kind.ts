/**
 * What a protected resource is: EC2 instances, RDS DB instances, and Aurora clusters (whose data
 * is the cluster's, not any one of its instances').
 */
export type ResourceKind = 'ec2' | 'rds' | 'aurora';
