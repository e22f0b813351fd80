/**
 * The estate's own tags travel (issue 13, part 3): what Pendulum recovers carries its source's
 * tags (never AWS's reserved `aws:` ones) beside Pendulum's, its `Name` kept; what comes home
 * carries the recovery copy's tags as they are then (an edit made while failed over is kept). The
 * plan's tag selector therefore keeps matching wherever the app runs. Every task as its deployed
 * role runs it.
 */
import {
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ESTATE_TAGS } from '../../examples/sample-estate';
import { makeFinaliseHomeHandler } from '../../lambdas/handlers/finalise-home';
import { TAG, tagMap } from '../../lambdas/recovery-points/recovery-point';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import {
  afterLagReading,
  describeDatabase,
  type FailedOverEstate,
  failedOverEstate,
  PRIMARY,
  RECOVERY,
  syncThroughFreeze,
} from './failed-over-estate';

const aws = localAwsForTests(RECOVERY);
const health = healthEndpointForTests();
const { 'aws:cloudformation:stack-name': _reserved, ...SETTABLE } = ESTATE_TAGS;

async function instances(f: FailedOverEstate, region: string, filter: { Name: string; Values: string[] }) {
  const { Reservations = [] } = await f
    .clients()
    .ec2(region)
    .send(new DescribeInstancesCommand({ Filters: [filter] }));
  return Reservations.flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== 'terminated');
}

async function volumeTags(f: FailedOverEstate, region: string, instanceId: string) {
  const { Volumes = [] } = await f
    .clients()
    .ec2(region)
    .send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }),
    );
  return Volumes.map((v) => tagMap(v.Tags));
}

describe('the estate’s own tags', { timeout: 200_000 }, () => {
  let f: FailedOverEstate;
  let restore: () => void;

  beforeEach(async () => {
    // Prepare: the sample estate (its instances and database carry ESTATE_TAGS), protected and
    // failed over by the deployed workflows.
    await aws.reset();
    f = await failedOverEstate({ healthUrl: health.url(), strategy: 'snapshot' });
    restore = f.useTaskEnvironment();
  }, 200_000);
  afterEach(() => restore?.());

  it('travel to the recovery region and home again, Name kept, aws: ones never', async () => {
    // Assess: recovery points carry the source's tags
    const { Images = [] } = await f
      .clients()
      .ec2(RECOVERY)
      .send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [{ Name: `tag:${TAG.app}`, Values: ['shop'] }],
        }),
      );
    expect(Images.length).toBeGreaterThan(0);
    for (const image of Images) expect(tagMap(image.Tags)).toMatchObject(SETTABLE);

    // Assess: recovered instances, their volumes and the database
    const recoveredWeb = f.inventory.filter(
      (e) => e.kind === 'ec2' && e.role === 'web' && e.recovered !== f.terminatedId,
    );
    expect(recoveredWeb.length).toBeGreaterThan(0);
    const [live] = await instances(f, RECOVERY, {
      Name: 'instance-id',
      Values: [recoveredWeb[0]?.recovered ?? ''],
    });
    const liveTags = tagMap(live?.Tags);
    expect(liveTags).toMatchObject({
      ...SETTABLE,
      Name: 'shop-web',
      PatchGroup: 'shop-web',
      'pendulum-role': 'web',
    });
    expect(liveTags[TAG.failover]).toBeDefined();
    expect(Object.keys(liveTags).filter((k) => k.startsWith('aws:'))).toEqual([]);
    for (const tags of await volumeTags(f, RECOVERY, live?.InstanceId ?? ''))
      expect(tags).toMatchObject(SETTABLE);
    const recoveredDb = await describeDatabase(f, RECOVERY, f.recoveryDb);
    expect(tagMap(recoveredDb?.TagList)).toMatchObject({ ...SETTABLE, app: 'shop' });
    // The plan's selector (pendulum-role=web) finds the recovered web tier in the recovery region.
    const selected = await instances(f, RECOVERY, { Name: 'tag:pendulum-role', Values: ['web'] });
    expect(selected.map((i) => i.InstanceId)).toEqual(expect.arrayContaining([live?.InstanceId]));

    // Act: someone retags the recovered instance during the failover; then failback
    await f
      .clients()
      .ec2(RECOVERY)
      .send(
        new CreateTagsCommand({
          Resources: [live?.InstanceId ?? ''],
          Tags: [
            { Key: 'Owner', Value: 'night-shift' },
            { Key: 'CostCenter', Value: 'retail-9000' },
          ],
        }),
      );
    const sync = await syncThroughFreeze(f, { clients: f.clients() })({ run: f.run });
    expect(sync.ready, JSON.stringify(sync.laggards)).toBe(true);
    await f.asTask(
      'finalise-home',
      makeFinaliseHomeHandler({ clients: f.clients(), now: afterLagReading }),
    )({
      run: f.run,
    });

    // Assess: the home copy of that instance carries its tags as they were at failback
    const home = await instances(f, PRIMARY, { Name: `tag:${TAG.failback}`, Values: [f.run.failbackId] });
    const homeOfLive = home.find((i) => tagMap(i.Tags)[TAG.source] === live?.InstanceId);
    expect(tagMap(homeOfLive?.Tags)).toMatchObject({
      ...SETTABLE,
      CostCenter: 'retail-9000',
      Owner: 'night-shift',
      Name: 'shop-web',
      'pendulum-role': 'web',
    });
    for (const tags of await volumeTags(f, PRIMARY, homeOfLive?.InstanceId ?? ''))
      expect(tags).toMatchObject({ Owner: 'night-shift' });
    for (const instance of home)
      expect(Object.keys(tagMap(instance.Tags)).filter((k) => k.startsWith('aws:'))).toEqual([]);
    const homeDb = await describeDatabase(f, PRIMARY, 'shop-db');
    expect(tagMap(homeDb?.TagList)).toMatchObject({ ...SETTABLE, app: 'shop' });
  });
});
