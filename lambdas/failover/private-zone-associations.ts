/**
 * Private hosted zones answer only in the VPCs associated with them. Before DNS moves to the
 * recovery region, each private zone of the plan is associated with every VPC of the recovery
 * placement, so recovered clients resolve it. The association is kept for failback and never
 * removed by Pendulum; what Pendulum associated is recorded per failover episode, so a person
 * knows which associations Pendulum made (and may remove them by hand once back home).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Plan } from '../plan/plan-schema';
import { resolveZone } from '../route53/hosted-zone';
import { associateVpc, type ZoneVpc, zoneVpcs } from '../route53/zone-vpcs';
import { placementVpcIds } from './placement-vpcs';

export interface ZoneAssociation {
  readonly zone: string;
  readonly id: string;
  /** The VPCs the zone had when the episode first looked: failback checks the home ones are still there. */
  readonly before: readonly ZoneVpc[];
  /** Recovery VPCs that resolved the zone already (made before this episode, or by people). */
  readonly alreadyAssociated: readonly string[];
  /** Recovery VPCs Pendulum associated in this episode: kept for failback, never removed by Pendulum. */
  readonly associated: readonly { vpcId: string; changeId: string; at: string }[];
  /** Drills and dry runs change nothing: the VPCs a failover would associate. */
  readonly wouldAssociate: readonly string[];
}

export interface PrivateZoneAssociations {
  /** The recovery region, where the VPCs are. */
  readonly region: string;
  readonly zones: readonly ZoneAssociation[];
}

/** One document per failover episode: a re-run of the failover (a new run id) finds what the first made. */
export function episodeZoneAssociationsKey(app: string, failoverId: string): string {
  return `episodes/${app}/${failoverId}/private-zone-associations.json`;
}

export function hasPrivateZones(plan: Plan): boolean {
  return plan.dns.zones.some((z) => z.private);
}

export interface AssociateOptions {
  readonly plan: Plan;
  readonly region: string;
  /** false for drills and dry runs: look, report, associate nothing. */
  readonly apply: boolean;
  readonly comment: string;
  readonly now: () => Date;
  /** What an earlier attempt of the episode recorded: its associations are not made again. */
  readonly previous?: PrivateZoneAssociations;
}

/**
 * Associates each private zone of the plan with each placement VPC that does not resolve it yet
 * (GetHostedZone lists the zone's VPCs: already there means nothing to do).
 */
export async function associatePrivateZones(
  route53: Route53Client,
  ec2: EC2Client,
  options: AssociateOptions,
): Promise<PrivateZoneAssociations> {
  const { plan, region } = options;
  const zones = plan.dns.zones.filter((z) => z.private);
  if (zones.length === 0) return { region, zones: [] };
  const vpcIds = await placementVpcIds(ec2, plan, region);
  const results: ZoneAssociation[] = [];
  for (const planned of zones) {
    const zone = await resolveZone(route53, planned);
    const earlier = options.previous?.zones.find((z) => z.id === zone.id);
    const vpcs = await zoneVpcs(route53, zone.id);
    const madeEarlier = new Set(earlier?.associated.map((a) => a.vpcId));
    const resolves = (vpcId: string) => vpcs.some((v) => v.vpcId === vpcId && v.region === region);
    const missing = vpcIds.filter((id) => !resolves(id) && !madeEarlier.has(id));
    const associated = [...(earlier?.associated ?? [])];
    if (options.apply)
      for (const vpcId of missing)
        associated.push({
          vpcId,
          changeId: await associateVpc(route53, zone, { vpcId, region }, options.comment),
          at: options.now().toISOString(),
        });
    results.push({
      zone: zone.name,
      id: zone.id,
      before: earlier?.before ?? vpcs,
      alreadyAssociated: vpcIds.filter((id) => resolves(id) && !madeEarlier.has(id)),
      associated,
      wouldAssociate: options.apply ? [] : missing,
    });
  }
  return { region, zones: results };
}

/** `Associated vpc-… (us-west-2) with private zone shop.internal (Z…)`: one line per association made. */
export function associationLines(record: PrivateZoneAssociations | undefined): string[] {
  return (record?.zones ?? []).flatMap((z) =>
    z.associated.map(
      (a) =>
        `Associated ${a.vpcId} (${record?.region}) with private zone ${z.zone} (${z.id}); Pendulum keeps it and never removes it.`,
    ),
  );
}
