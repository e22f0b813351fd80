/**
 * Route 53 access for the VPCs of a private hosted zone: which VPCs resolve it (GetHostedZone
 * lists them), and associating one more. Pendulum never disassociates a VPC.
 */
import {
  AssociateVPCWithHostedZoneCommand,
  GetHostedZoneCommand,
  type Route53Client,
  type VPCRegion,
} from '@aws-sdk/client-route-53';
import { InvalidInputError } from '../runtime/task-errors';

export interface ZoneVpc {
  readonly vpcId: string;
  readonly region: string;
}

/** The VPCs associated with a private zone, as GetHostedZone lists them. */
export async function zoneVpcs(route53: Route53Client, zoneId: string): Promise<ZoneVpc[]> {
  const { HostedZone, VPCs = [] } = await route53.send(new GetHostedZoneCommand({ Id: zoneId }));
  if (HostedZone && !HostedZone.Config?.PrivateZone)
    throw new InvalidInputError(
      `hosted zone ${zoneId} (${HostedZone.Name}) is public; the plan says private: true (dns.zones)`,
    );
  return VPCs.flatMap((v) => (v.VPCId && v.VPCRegion ? [{ vpcId: v.VPCId, region: v.VPCRegion }] : []));
}

/**
 * Associates one VPC with a private zone; returns the change id to wait on. Route 53 answers
 * ConflictingDomainExists when the VPC already resolves another zone of the same name (API
 * reference, AssociateVPCWithHostedZone errors): that is not "already done", it is a VPC that
 * would keep answering from the other zone, so it stops the run with what a person must decide.
 */
export async function associateVpc(
  route53: Route53Client,
  zone: { id: string; name: string },
  vpc: ZoneVpc,
  comment: string,
): Promise<string> {
  try {
    const { ChangeInfo } = await route53.send(
      new AssociateVPCWithHostedZoneCommand({
        HostedZoneId: zone.id,
        VPC: { VPCId: vpc.vpcId, VPCRegion: vpc.region as VPCRegion },
        Comment: comment.slice(0, 256),
      }),
    );
    return ChangeInfo?.Id ?? '';
  } catch (error) {
    if ((error as Error).name === 'ConflictingDomainExists')
      throw new InvalidInputError(
        `${vpc.vpcId} in ${vpc.region} already resolves another private hosted zone named ${zone.name}, so it cannot also be associated with ${zone.id}; disassociate the other zone from that VPC (or name that zone in the plan) and start the failover again`,
      );
    throw error;
  }
}
