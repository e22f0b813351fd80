/**
 * The reads the preflight checks need in the tasks that run them (lambdas/preflight/run-preflight.ts
 * says which checks run where), beyond what those tasks read already. Read-only, scoped to what
 * the plan names where the action allows it.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { STANDARD_VCPU_QUOTA_CODE } from '../../lambdas/preflight/check-capacity';
import { instanceProfileName } from '../../lambdas/preflight/check-placement';
import { allowCheckGlobalMemberPlacement } from './global-cluster-grants';
import { arnsFor, grant } from './grant';
import { allowPlanKeys } from './kms-grants';
import { planInstances, planPlacements } from './plan-resources';

const EC2_READ =
  'EC2 Describe* actions support no resource-level permissions; limited to the region named by aws:RequestedRegion.';

function ec2Reads(role: iam.IRole, sid: string, region: string, actions: readonly string[]): void {
  grant(role, {
    sid,
    actions,
    resources: ['*'],
    conditions: { StringEquals: { 'aws:RequestedRegion': region } },
    reason: EC2_READ,
  });
}

/** The plan's instance profiles (IAM is global). */
function allowReadInstanceProfiles(role: iam.IRole, plan: Plan): void {
  const profiles = [
    ...new Set(Object.values(plan.placement).flatMap((p) => (p.instanceProfile ? [p.instanceProfile] : []))),
  ];
  if (profiles.length === 0) return;
  const account = arnsFor(role).account;
  grant(role, {
    sid: 'PreflightInstanceProfiles',
    actions: ['iam:GetInstanceProfile'],
    resources: profiles.map((p) => `arn:aws:iam::${account}:instance-profile/${instanceProfileName(p)}`),
  });
}

/** Hosted zones: by id (GetHostedZone), or found by name. */
function allowFindZones(role: iam.IRole, plan: Plan, byName: boolean): void {
  const ids = plan.dns.zones.flatMap((z) => (z.id ? [z.id] : []));
  if (ids.length > 0)
    grant(role, {
      sid: 'PreflightZonesById',
      actions: ['route53:GetHostedZone'],
      resources: ids.map((id) => `arn:aws:route53:::hostedzone/${id}`),
    });
  if (byName && plan.dns.zones.some((z) => !z.id))
    grant(role, {
      sid: 'PreflightZonesByName',
      actions: ['route53:ListHostedZonesByName'],
      resources: ['*'],
      reason: 'route53:ListHostedZonesByName supports no resource-level permissions.',
    });
}

/** protect-tier: the volumes of the instances it images (their keys). */
export function allowProtectPreflight(role: iam.IRole, plan: Plan): void {
  const { ids, tags } = planInstances(plan);
  if (ids.length > 0 || tags.length > 0)
    ec2Reads(role, 'PreflightSourceVolumes', plan.primaryRegion, ['ec2:DescribeVolumes']);
}

/**
 * plan-failover (which already reads subnets, security groups and finds zones by name): key pairs,
 * DB subnet groups, instance profiles, zones by id, instance types and what runs in the recovery
 * region.
 */
export function allowPlanFailoverPreflight(role: iam.IRole, plan: Plan): void {
  const region = plan.recoveryRegion;
  const { keyNames, dbSubnetGroups } = planPlacements(plan);
  const { ids, tags } = planInstances(plan);
  const ec2 = [
    ...(keyNames.length > 0 ? ['ec2:DescribeKeyPairs'] : []),
    ...(ids.length > 0 || tags.length > 0 ? ['ec2:DescribeInstanceTypes', 'ec2:DescribeInstances'] : []),
  ];
  if (ec2.length > 0) ec2Reads(role, 'PreflightRecoveryPlacement', region, ec2);
  if (dbSubnetGroups.length > 0)
    grant(role, {
      sid: 'PreflightDbSubnetGroups',
      actions: ['rds:DescribeDBSubnetGroups'],
      resources: dbSubnetGroups.map((g) => arnsFor(role).rds(region, 'subgrp', g)),
    });
  if (ids.length > 0 || tags.length > 0) {
    grant(role, {
      sid: 'PreflightVcpuQuota',
      actions: ['servicequotas:GetServiceQuota'],
      resources: [`arn:aws:servicequotas:${region}:${arnsFor(role).account}:ec2/${STANDARD_VCPU_QUOTA_CODE}`],
    });
    grant(role, {
      sid: 'PreflightVcpuQuotaDefault',
      actions: ['servicequotas:GetAWSDefaultServiceQuota'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': region } },
      reason:
        'servicequotas:GetAWSDefaultServiceQuota supports no resource-level permissions (AWS defaults are not per account); read only when the quota has no applied value.',
    });
  }
  allowReadInstanceProfiles(role, plan);
  allowFindZones(role, plan, false);
  allowCheckGlobalMemberPlacement(role, plan);
}

/** failback-prepare: zones, instance profiles, and the keys named for either region. */
export function allowFailbackPreflight(role: iam.IRole, plan: Plan): void {
  allowReadInstanceProfiles(role, plan);
  allowFindZones(role, plan, true);
  for (const region of [plan.primaryRegion, plan.recoveryRegion])
    allowPlanKeys(role, plan, region, ['describe']);
}

/**
 * choose-recovery-points (its check before the lock runs the failover's preflight): the same as
 * plan-failover, plus the subnets, security groups and zones by name plan-failover reads anyway.
 */
export function allowFailoverPreflight(role: iam.IRole, plan: Plan): void {
  const placements = Object.values(plan.placement);
  const network = [
    ...(placements.some((p) => (p.subnets ?? []).length > 0) ? ['ec2:DescribeSubnets'] : []),
    ...(placements.some((p) => (p.securityGroups ?? []).length > 0) ? ['ec2:DescribeSecurityGroups'] : []),
  ];
  if (network.length > 0) ec2Reads(role, 'PreflightRecoveryNetwork', plan.recoveryRegion, network);
  if (plan.dns.zones.some((z) => !z.id))
    grant(role, {
      sid: 'PreflightZonesByNameBeforeLock',
      actions: ['route53:ListHostedZonesByName'],
      resources: ['*'],
      reason: 'route53:ListHostedZonesByName supports no resource-level permissions.',
    });
  allowPlanFailoverPreflight(role, plan);
}
