/**
 * What the private-zone tasks may do, only when the plan has private hosted zones: read which VPCs
 * a private zone of the plan has, associate recovery-region VPCs with it (never disassociate),
 * and find the VPCs of the recovery placement's subnets.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { allowEc2Describe } from './failover-grants';
import { grant } from './grant';

/** The plan's private zones by id, or every zone when one of them is found by name at run time. */
export function privateZoneArns(plan: Plan): string[] {
  const zones = plan.dns.zones.filter((z) => z.private);
  if (zones.every((z) => z.id)) return zones.map((z) => `arn:aws:route53:::hostedzone/${z.id}`);
  return ['arn:aws:route53:::hostedzone/*'];
}

const ZONE_BY_NAME =
  'The plan names a private zone by name; its id is looked up at run time. Add ids to the plan to narrow this.';

/**
 * Reading a private zone's VPCs (GetHostedZone) and finding zones named by name (`find: false`
 * where the role finds zones already, allowRoute53Read).
 */
export function allowReadPrivateZones(role: iam.IRole, plan: Plan, find = true): void {
  const zones = plan.dns.zones.filter((z) => z.private);
  if (zones.length === 0) return;
  grant(role, {
    sid: 'ReadPrivateZoneVpcs',
    actions: ['route53:GetHostedZone'],
    resources: privateZoneArns(plan),
    reason: ZONE_BY_NAME,
  });
  if (find && zones.some((z) => !z.id))
    grant(role, {
      sid: 'FindPrivateZones',
      actions: ['route53:ListHostedZonesByName'],
      resources: ['*'],
      reason: 'route53:ListHostedZonesByName supports no resource-level permissions.',
    });
}

/**
 * Associating VPCs of the recovery region with the plan's private zones. The VPC ids come from
 * the placement subnets at run time (by tag, or ids unknown at synth), so the route53:VPCs
 * condition (`VPCId=<id>,VPCRegion=<region>`, Route 53 Developer Guide, "Using IAM policy
 * conditions for fine-grained access control") pins the region, not the id. AWS also checks the
 * VPC with ec2:DescribeVpcs as the caller ("Route 53 API permissions reference", required
 * permissions for private hosted zones); that action supports no resource-level permissions.
 */
export function allowAssociatePrivateZones(role: iam.IRole, plan: Plan): void {
  if (!plan.dns.zones.some((z) => z.private)) return;
  const region = plan.recoveryRegion;
  allowReadPrivateZones(role, plan);
  allowEc2Describe(role, [region], ['ec2:DescribeSubnets']);
  grant(role, {
    sid: 'AssociateRecoveryVpcs',
    actions: ['route53:AssociateVPCWithHostedZone'],
    resources: privateZoneArns(plan),
    conditions: { StringLike: { 'route53:VPCs': `VPCId=vpc-*,VPCRegion=${region}` } },
    reason: `${ZONE_BY_NAME} Only VPCs of the recovery region (route53:VPCs); never a disassociation.`,
  });
  grant(role, {
    sid: 'CheckVpcsForAssociation',
    actions: ['ec2:DescribeVpcs'],
    resources: ['*'],
    reason:
      'Route 53 checks the VPC with ec2:DescribeVpcs as the caller of AssociateVPCWithHostedZone; it supports no resource-level permissions and the region of that check is not documented, so it is not limited by region. Read-only.',
  });
}
