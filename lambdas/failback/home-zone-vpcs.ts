/**
 * Before failback moves DNS home, each private zone of the plan must still resolve in the home
 * region: associated with a VPC there, and with every home VPC it had when the failover started.
 * Pendulum does not associate home VPCs itself: which VPCs home clients use was decided at set-up
 * (the failover record only knows what was associated then), and an association someone removed
 * meanwhile is a decision a person made. It refuses, before anything is changed, and says what to do.
 */
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { PrivateZoneAssociations } from '../failover/private-zone-associations';
import type { Plan } from '../plan/plan-schema';
import { resolveZone } from '../route53/hosted-zone';
import { zoneVpcs } from '../route53/zone-vpcs';
import { GateClosedError } from '../runtime/task-errors';

export interface HomeZoneVpcs {
  readonly zone: string;
  readonly id: string;
  readonly homeVpcs: readonly string[];
}

export async function checkHomeZoneVpcs(
  route53: Route53Client,
  plan: Plan,
  homeRegion: string,
  failoverRecord: PrivateZoneAssociations | undefined,
): Promise<HomeZoneVpcs[]> {
  const problems: string[] = [];
  const zones: HomeZoneVpcs[] = [];
  for (const planned of plan.dns.zones.filter((z) => z.private)) {
    const zone = await resolveZone(route53, planned);
    const home = (await zoneVpcs(route53, zone.id))
      .filter((v) => v.region === homeRegion)
      .map((v) => v.vpcId);
    const hadAtFailover = (failoverRecord?.zones.find((z) => z.id === zone.id)?.before ?? [])
      .filter((v) => v.region === homeRegion)
      .map((v) => v.vpcId);
    const lost = hadAtFailover.filter((id) => !home.includes(id));
    const fix = (vpc: string) =>
      `aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${zone.id} --vpc VPCRegion=${homeRegion},VPCId=${vpc}`;
    if (lost.length > 0)
      problems.push(
        `private zone ${zone.name} (${zone.id}) is no longer associated with ${lost.join(', ')} in ${homeRegion} (it was when the failover started): home clients would not resolve it; associate it again (${lost.map(fix).join('; ')}) and start the failback again`,
      );
    else if (home.length === 0)
      problems.push(
        `private zone ${zone.name} (${zone.id}) is associated with no VPC in ${homeRegion}: home clients would not resolve it; associate the home VPC (${fix('<vpc-id>')}) and start the failback again`,
      );
    zones.push({ zone: zone.name, id: zone.id, homeVpcs: home });
  }
  if (problems.length > 0) throw new GateClosedError(problems.join('\n'));
  return zones;
}
