/**
 * Which VPCs a private zone gets on failover: the placement subnets' VPCs, each once, however the
 * roles name their subnets; nothing made in a drill or a dry run; a VPC that already resolves
 * another zone of the name stops the run with what to decide. Against moto.
 */
import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateHostedZoneCommand, GetHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from 'vitest';
import { placementVpcIds } from '../../lambdas/failover/placement-vpcs';
import { associatePrivateZones } from '../../lambdas/failover/private-zone-associations';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { associateVpc } from '../../lambdas/route53/zone-vpcs';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const RECOVERY = 'us-west-2';
const aws = localAwsForTests(RECOVERY);
const clients = () => createAwsClients();

async function vpcWithSubnet(cidr: string, name: string) {
  const ec2 = clients().ec2(RECOVERY);
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
  const { Subnet } = await ec2.send(
    new CreateSubnetCommand({
      VpcId: Vpc?.VpcId,
      CidrBlock: cidr.replace('.0.0/16', '.1.0/24'),
      TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: name }] }],
    }),
  );
  return { vpcId: Vpc?.VpcId ?? '', subnetId: Subnet?.SubnetId ?? '' };
}

describe('private zone associations', () => {
  let web: { vpcId: string; subnetId: string };
  let api: { vpcId: string; subnetId: string };
  let plan: Plan;

  beforeEach(async () => {
    await aws.reset();
    web = await vpcWithSubnet('10.30.0.0/16', 'web-subnet');
    api = await vpcWithSubnet('10.40.0.0/16', 'api-subnet');
    plan = samplePlanWith((p) => {
      p.placement = {
        web: { subnets: [web.subnetId] },
        api: { subnets: [{ tag: { key: 'Name', value: 'api-subnet' } }, api.subnetId] },
      };
      p.dns?.zones?.push({ name: 'shop.internal', private: true, records: [] });
    });
  });

  it('names each VPC of the placement subnets once, by id or by tag', async () => {
    expect(await placementVpcIds(clients().ec2(RECOVERY), plan, RECOVERY)).toEqual(
      [web.vpcId, api.vpcId].sort(),
    );
  });

  it('says which role names a subnet tag that matches nothing', async () => {
    const wrong = samplePlanWith((p) => {
      p.placement = { api: { subnets: [{ tag: { key: 'Name', value: 'gone' } }] } };
    });
    await expect(placementVpcIds(clients().ec2(RECOVERY), wrong, RECOVERY)).rejects.toThrow(
      'placement.api: no subnet tagged Name=gone in us-west-2',
    );
  });

  it('associates every placement VPC a private zone lacks, and in a drill only says it would', async () => {
    // Prepare: the zone resolves in the web VPC already
    const route53 = clients().route53();
    const { HostedZone } = await route53.send(
      new CreateHostedZoneCommand({
        Name: 'shop.internal',
        CallerReference: 'unit',
        HostedZoneConfig: { PrivateZone: true },
        VPC: { VPCId: web.vpcId, VPCRegion: RECOVERY },
      }),
    );
    const zoneId = (HostedZone?.Id ?? '').replace('/hostedzone/', '');
    const options = { plan, region: RECOVERY, comment: 'test', now: () => new Date('2026-01-01T00:00:00Z') };
    const vpcs = async () =>
      ((await route53.send(new GetHostedZoneCommand({ Id: zoneId }))).VPCs ?? []).map((v) => v.VPCId).sort();

    // Act: a drill
    const drill = await associatePrivateZones(route53, clients().ec2(RECOVERY), { ...options, apply: false });

    // Assess: nothing changed, the missing VPC reported
    expect(drill.zones[0]).toMatchObject({
      alreadyAssociated: [web.vpcId],
      associated: [],
      wouldAssociate: [api.vpcId],
    });
    expect(await vpcs()).toEqual([web.vpcId]);

    // Act: a failover, then its retry with what the first attempt recorded
    const first = await associatePrivateZones(route53, clients().ec2(RECOVERY), { ...options, apply: true });
    const retry = await associatePrivateZones(route53, clients().ec2(RECOVERY), {
      ...options,
      apply: true,
      previous: first,
    });

    // Assess: associated once; the retry still says Pendulum made it
    expect(await vpcs()).toEqual([web.vpcId, api.vpcId].sort());
    expect(retry.zones[0]).toMatchObject({
      id: zoneId,
      before: [{ vpcId: web.vpcId, region: RECOVERY }],
      alreadyAssociated: [web.vpcId],
      associated: [{ vpcId: api.vpcId, at: '2026-01-01T00:00:00.000Z' }],
      wouldAssociate: [],
    });
  });

  it('stops with what to decide when the VPC already resolves another zone of that name', async () => {
    // Route 53's answer, which moto does not give: a fake client that answers it
    const conflicting = {
      send: async () => {
        throw Object.assign(new Error('conflict'), { name: 'ConflictingDomainExists' });
      },
    } as unknown as Route53Client;
    await expect(
      associateVpc(
        conflicting,
        { id: 'Z1', name: 'shop.internal.' },
        { vpcId: api.vpcId, region: RECOVERY },
        'x',
      ),
    ).rejects.toThrow(
      `${api.vpcId} in us-west-2 already resolves another private hosted zone named shop.internal.`,
    );
  });
});
