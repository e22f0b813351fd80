/**
 * A private hosted zone answers only in its VPCs. The sample estate with a private zone that only
 * the primary VPC resolves: failover associates the recovery VPC before the records move, a retry
 * finds it done, failback keeps it, and a failback whose home VPC lost its association is refused.
 */
import { DescribeInstancesCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetHostedZoneCommand,
} from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import { recordKey } from '../../lambdas/dns/record-key';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const PRIVATE = 'shop.internal';

async function vpcNamed(region: string, name: string): Promise<string> {
  const { Vpcs = [] } = await clients()
    .ec2(region)
    .send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }));
  return Vpcs[0]?.VpcId ?? '';
}

async function zoneVpcs(zoneId: string) {
  const { VPCs = [] } = await clients()
    .route53()
    .send(new GetHostedZoneCommand({ Id: zoneId }));
  return VPCs.map((v) => `${v.VPCId}@${v.VPCRegion}`).sort();
}

async function recordValues(zoneId: string, key: string): Promise<string[]> {
  const record = (await listZoneRecords(clients().route53(), zoneId)).find((r) => recordKey(r) === key);
  return (record?.ResourceRecords ?? []).map((v) => v.Value ?? '').sort();
}

describe('private hosted zones across failover and failback', () => {
  let plan: Plan;
  let estate: SampleEstate;
  let stack: LocalStack;
  let privateZoneId: string;
  let primaryVpc: string;
  let recoveryVpc: string;

  beforeEach(async () => {
    // Prepare: the sample estate, and a private zone the primary VPC alone resolves.
    await aws.reset();
    plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.failback = { strategy: 'cutover', steps: [100], stepHold: '1m', soak: '1h' };
      p.dns?.zones?.push({
        name: PRIVATE,
        private: true,
        records: [{ name: `api.${PRIVATE}`, type: 'A', ttl: 60, target: { role: 'api' } }],
      });
    });
    estate = await createSampleEstate(clients());
    primaryVpc = await vpcNamed('us-east-1', 'shop-primary');
    recoveryVpc = estate.recoveryNetwork.vpcId;
    const route53 = clients().route53();
    const { HostedZone } = await route53.send(
      new CreateHostedZoneCommand({
        Name: PRIVATE,
        CallerReference: `private-${Date.now()}`,
        HostedZoneConfig: { PrivateZone: true },
        VPC: { VPCId: primaryVpc, VPCRegion: 'us-east-1' },
      }),
    );
    privateZoneId = (HostedZone?.Id ?? '').replace('/hostedzone/', '');
    const { Reservations = [] } = await clients()
      .ec2('us-east-1')
      .send(new DescribeInstancesCommand({ InstanceIds: estate.instances.api }));
    const apiAddresses = Reservations.flatMap((r) => r.Instances ?? []).map((i) => i.PrivateIpAddress ?? '');
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: privateZoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: `api.${PRIVATE}`,
                Type: 'A',
                TTL: 60,
                ResourceRecords: apiAddresses.map((Value) => ({ Value })),
              },
            },
          ],
        },
      }),
    );
    stack = await deployLocalStack(plan);
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
  });

  it('associates the recovery VPC before DNS moves, once even when the task runs again, and records that Pendulum made it', async () => {
    // Prepare
    const before = await recordValues(privateZoneId, `api.${PRIVATE}. A`);
    let associatedWhenDnsMoved: string[] = [];

    // Act: the association task runs twice (a retry after its first attempt succeeded)
    const result = await stack.run(
      'failover',
      {},
      {
        taskOverrides: {
          AssociatePrivateZones: async (payload, call) => {
            await call.invokeOriginal?.(payload);
            return call.invokeOriginal?.(payload);
          },
          CutOverDns: async (payload, call) => {
            associatedWhenDnsMoved = await zoneVpcs(privateZoneId);
            return call.invokeOriginal?.(payload);
          },
        },
      },
    );

    // Assess: associated before the cutover, exactly once, the primary association kept
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const both = [`${primaryVpc}@us-east-1`, `${recoveryVpc}@us-west-2`].sort();
    expect(associatedWhenDnsMoved).toEqual(both);
    expect(await zoneVpcs(privateZoneId)).toEqual(both);

    // Assess: the private record points at the recovered api instances, as the public one does
    const after = await recordValues(privateZoneId, `api.${PRIVATE}. A`);
    expect(after).not.toEqual(before);
    expect(after).toEqual(await recordValues(estate.zoneId, 'api.shop.example.com. A'));

    // Assess: the outcome says Pendulum made the association (the retry did not call it "already there")
    const state = new StateTable(clients().dynamo(), stack.tableName);
    const app = await state.getApp('shop', 'us-east-1');
    const outcome = await new ArtifactStore(clients().s3(), stack.bucketName).getJson<{
      privateZoneAssociations: unknown[];
    }>(String(app.outcomeKey));
    expect(outcome.privateZoneAssociations).toEqual([
      {
        zone: `${PRIVATE}.`,
        id: privateZoneId,
        region: 'us-west-2',
        associatedByPendulum: [recoveryVpc],
        alreadyAssociated: [],
      },
    ]);

    // Act: failback
    const back = await stack.run('failback', {});

    // Assess: home again, the recovery association kept for the next failover
    expect(back.status, back.cause).toBe('SUCCEEDED');
    expect(await zoneVpcs(privateZoneId)).toEqual(both);
  });

  it('a dry run lists the association a failover would make, and makes none', async () => {
    const result = await stack.run('failover', { dryRun: true });

    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect((result.output as { privateZoneAssociations: unknown[] }).privateZoneAssociations).toEqual([
      { zone: `${PRIVATE}.`, id: privateZoneId, vpcId: recoveryVpc, region: 'us-west-2' },
    ]);
    expect(await zoneVpcs(privateZoneId)).toEqual([`${primaryVpc}@us-east-1`]);
  });

  it('refuses a failback, before anything changes, when the home VPC no longer resolves the private zone', async () => {
    // Prepare: failed over; then someone removes the primary VPC's association
    const failover = await stack.run('failover', {});
    expect(failover.status, failover.cause).toBe('SUCCEEDED');
    await clients()
      .route53()
      .send(
        new DisassociateVPCFromHostedZoneCommand({
          HostedZoneId: privateZoneId,
          VPC: { VPCId: primaryVpc, VPCRegion: 'us-east-1' },
        }),
      );
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

    // Act
    const result = await stack.run('failback', {});

    // Assess: rejected with what to do; still failed over, DNS untouched
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('GateClosedError');
    expect(result.cause).toContain(`no longer associated with ${primaryVpc} in us-east-1`);
    expect(result.cause).toContain(
      `aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${privateZoneId}`,
    );
    const state = new StateTable(clients().dynamo(), stack.tableName);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
  });
});
