/**
 * What no task role may do with Aurora clusters, asked of the synthesized role policies of a plan
 * that names one, with the same evaluator and model of each call that enforce every workflow run.
 * Each denial has an allowed counterpart so it cannot pass by denying everything.
 */
import { CreateDBClusterCommand, CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAILBACK_TAG } from '../../lambdas/failback/home-names';
import { episodeDbIdentifier } from '../../lambdas/failover/rds-recovery';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { type LocalIam, localIamFor } from '../../local/iam/local-iam';
import { lambdaFunctions } from '../../local/synthesized-app';
import { localAwsForTests } from '../support/local-aws';
import { samplePlan, samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const POINT = 'pendulum-shop-rp-shop-aurora-20260101t000000z-abcdef';
const REVERSE_POINT = 'pendulum-shop-rv-shop-aurora-pf-1a2b3c4d-20260101t000000z-abcdef';

describe('what no Pendulum role may do with Aurora clusters', () => {
  localAwsForTests(RECOVERY);
  const plan: Plan = samplePlanWith((p) => {
    p.tiers.push({
      name: 'orders',
      rpo: '1h',
      rto: '1h',
      resources: [{ aurora: { clusterIdentifier: 'shop-aurora' } }],
    });
    p.failback = { ...p.failback, freeze: 'none' };
  });
  let iam: LocalIam;
  let handlers: string[];

  const allowed = async (handler: string, operation: string, input: unknown, region: string) =>
    (await iam.decide(`lambdas/handlers/${handler}.ts`, { service: 'RDS', operation, input, region })).every(
      (d) => d.allowed,
    );
  const whoMay = async (operation: string, input: unknown, region: string) => {
    const may: string[] = [];
    for (const handler of handlers) {
      const decisions = await iam.decide(handler, { service: 'RDS', operation, input, region });
      if (decisions.every((d) => d.allowed)) may.push(handler);
    }
    return may;
  };

  beforeAll(async () => {
    // Two clusters named as failover names them in the recovery region: one restored by Pendulum
    // (tagged with the app as restored), one not (the name alone does not make it Pendulum's).
    for (const [id, tags] of [
      [episodeDbIdentifier('shop-aurora', '1a2b3c4d'), [{ Key: TAG.app, Value: 'shop' }]],
      [episodeDbIdentifier('shop-aurora', '9f9f9f9f'), [{ Key: 'team', Value: 'orders' }]],
    ] as const)
      await createAwsClients()
        .rds(RECOVERY)
        .send(
          new CreateDBClusterCommand({
            DBClusterIdentifier: id,
            Engine: 'aurora-postgresql',
            MasterUsername: 'orders',
            MasterUserPassword: 'orders-password',
            Tags: [...tags],
          }),
        );
    const template = synthesizeTemplate(plan);
    iam = localIamFor(template, {
      region: RECOVERY,
      stackName: stackNameFor(plan),
      accountId: '123456789012',
    });
    handlers = [...new Set(lambdaFunctions(template).map((f) => f.handlerModule))];
  });

  it('finalise-home modifies the home and stale clusters in the primary region; retire-stale-primary only the set-aside stale one (to lift its deletion protection)', async () => {
    const home = episodeDbIdentifier('shop-aurora', '1a2b3c4d', 'fb');
    const stale = episodeDbIdentifier('shop-aurora', '1a2b3c4d', 'stale');
    const recovered = episodeDbIdentifier('shop-aurora', '1a2b3c4d');
    const modify = (cluster: string) => ({
      DBClusterIdentifier: cluster,
      NewDBClusterIdentifier: `${cluster}-x`,
      ApplyImmediately: true,
    });
    for (const cluster of ['shop-aurora', home])
      expect(await whoMay('ModifyDBCluster', modify(cluster), PRIMARY), cluster).toEqual([
        'lambdas/handlers/finalise-home.ts',
      ]);
    expect(await whoMay('ModifyDBCluster', modify(stale), PRIMARY)).toEqual([
      'lambdas/handlers/finalise-home.ts',
      'lambdas/handlers/retire-stale-primary.ts',
    ]);
    // In the recovery region only retire-recovery-copies modifies, and only a recovery copy.
    for (const cluster of ['shop-aurora', home, stale])
      expect(await whoMay('ModifyDBCluster', modify(cluster), RECOVERY), cluster).toEqual([]);
    expect(await whoMay('ModifyDBCluster', modify(recovered), RECOVERY)).toEqual([
      'lambdas/handlers/retire-recovery-copies.ts',
    ]);
    expect(await whoMay('ModifyDBCluster', modify(recovered), PRIMARY)).toEqual([]);
  });

  it("finalise-home renames and starts only the plan's cluster and its episode copies, tags DB instances only stale, and deletes nothing", async () => {
    const finalise = (operation: string, input: unknown, region = PRIMARY) =>
      allowed('finalise-home', operation, input, region);
    const home = episodeDbIdentifier('shop-aurora', '1a2b3c4d', 'fb');
    const instance = (id: string) => `arn:aws:rds:${PRIMARY}:123456789012:db:${id}`;
    const cluster = (id: string, region = PRIMARY) => `arn:aws:rds:${region}:123456789012:cluster:${id}`;
    const staleTag = [
      { Key: 'pendulum:stale', Value: 'failback-episode-1' },
      { Key: 'pendulum:app', Value: 'shop' },
    ];
    // Allowed: what it does (the counterparts of the denials below).
    expect(
      await finalise('DescribeDBClusters', { Filters: [{ Name: 'db-cluster-id', Values: ['shop-aurora'] }] }),
    ).toBe(true);
    expect(
      await finalise('ModifyDBCluster', { DBClusterIdentifier: home, NewDBClusterIdentifier: 'shop-aurora' }),
    ).toBe(true);
    expect(await finalise('StartDBCluster', { DBClusterIdentifier: 'shop-aurora' })).toBe(true);
    expect(
      await finalise('AddTagsToResource', { ResourceName: cluster('shop-aurora'), Tags: staleTag }),
    ).toBe(true);
    expect(
      await finalise('AddTagsToResource', { ResourceName: instance('orders-writer'), Tags: staleTag }),
    ).toBe(true);
    // Another cluster, however named or wherever.
    for (const other of ['billing-aurora', 'billing-aurora-fb-1a2b3c4d', 'shop-aurora-pf-1a2b3c4d']) {
      expect(await finalise('ModifyDBCluster', { DBClusterIdentifier: other }), other).toBe(false);
      expect(await finalise('StartDBCluster', { DBClusterIdentifier: other }), other).toBe(false);
      expect(
        await finalise('AddTagsToResource', { ResourceName: cluster(other), Tags: staleTag }),
        other,
      ).toBe(false);
    }
    expect(await finalise('DescribeDBClusters', { DBClusterIdentifier: 'shop-aurora' }, 'eu-west-1')).toBe(
      false,
    );
    // Any other tag key on an arbitrary DB instance, alone or beside the mark, the app tag without the
    // stale one or with another app's name, or outside the home region.
    for (const tags of [
      [{ Key: 'team', Value: 'orders' }],
      [...staleTag, { Key: 'team', Value: 'orders' }],
      [{ Key: 'pendulum:app', Value: 'shop' }],
      [
        { Key: 'pendulum:stale', Value: 'failback-episode-1' },
        { Key: 'pendulum:app', Value: 'billing' },
      ],
    ])
      expect(
        await finalise('AddTagsToResource', { ResourceName: instance('orders-writer'), Tags: tags }),
        JSON.stringify(tags),
      ).toBe(false);
    expect(
      await finalise(
        'AddTagsToResource',
        { ResourceName: `arn:aws:rds:${RECOVERY}:123456789012:db:orders-writer`, Tags: staleTag },
        RECOVERY,
      ),
    ).toBe(false);
    // Nothing deleted: no cluster, no instance, no snapshot.
    for (const region of [PRIMARY, RECOVERY]) {
      for (const id of ['shop-aurora', home, 'orders-writer']) {
        expect(
          await finalise('DeleteDBCluster', { DBClusterIdentifier: id, SkipFinalSnapshot: true }, region),
        ).toBe(false);
        expect(
          await finalise('DeleteDBInstance', { DBInstanceIdentifier: id, SkipFinalSnapshot: true }, region),
        ).toBe(false);
      }
      expect(await finalise('DeleteDBClusterSnapshot', { DBClusterSnapshotIdentifier: POINT }, region)).toBe(
        false,
      );
    }
  });

  it('only the retiring roles delete a cluster: the recovery copies there, the set-aside stale primary at home', async () => {
    const recovered = episodeDbIdentifier('shop-aurora', '1a2b3c4d');
    const stale = episodeDbIdentifier('shop-aurora', '1a2b3c4d', 'stale');
    // IAM cannot require the final snapshot of DeleteDBCluster (skipping it names no snapshot):
    // the retiring code always asks for one; these ask without.
    const skipping = (cluster: string) => ({ DBClusterIdentifier: cluster, SkipFinalSnapshot: true });
    for (const region of [PRIMARY, RECOVERY]) {
      expect(await whoMay('DeleteDBCluster', skipping('shop-aurora'), region), region).toEqual([]);
      expect(await whoMay('DeleteDBCluster', skipping('billing-aurora-stale-1a2b3c4d'), region)).toEqual([]);
      expect(
        await whoMay('DeleteDBCluster', skipping(episodeDbIdentifier('shop-aurora', '1', 'dr')), region),
      ).toEqual([]);
      for (const cluster of ['shop-aurora', recovered, stale])
        expect(
          await allowed('protect-tier', 'ModifyDBCluster', { DBClusterIdentifier: cluster }, region),
        ).toBe(false);
    }
    expect(await whoMay('DeleteDBCluster', skipping(recovered), RECOVERY)).toEqual([
      'lambdas/handlers/retire-recovery-copies.ts',
    ]);
    expect(await whoMay('DeleteDBCluster', skipping(recovered), PRIMARY)).toEqual([]);
    expect(
      await whoMay('DeleteDBCluster', skipping(episodeDbIdentifier('shop-aurora', '9f9f9f9f')), RECOVERY),
      'named like a recovery cluster, without the app tag',
    ).toEqual([]);
    expect(await whoMay('DeleteDBCluster', skipping(stale), PRIMARY)).toEqual([
      'lambdas/handlers/retire-stale-primary.ts',
    ]);
    expect(await whoMay('DeleteDBCluster', skipping(stale), RECOVERY)).toEqual([]);
  });

  it('a retiring role deletes its cluster only with a final snapshot under the final prefix, and deletes no cluster snapshot', async () => {
    const withFinal = (cluster: string, snapshot: string) => ({
      DBClusterIdentifier: cluster,
      SkipFinalSnapshot: false,
      FinalDBSnapshotIdentifier: snapshot,
    });
    const final = 'pendulum-shop-final-1a2b3c4d-shop-aurora';
    const stale = episodeDbIdentifier('shop-aurora', '1a2b3c4d', 'stale');
    const recovered = episodeDbIdentifier('shop-aurora', '1a2b3c4d');
    expect(await allowed('retire-stale-primary', 'DeleteDBCluster', withFinal(stale, final), PRIMARY)).toBe(
      true,
    );
    expect(
      await allowed('retire-recovery-copies', 'DeleteDBCluster', withFinal(recovered, final), RECOVERY),
    ).toBe(true);
    // A final snapshot named outside the prefix (nothing would mark it final), or another app's.
    for (const other of ['my-snapshot', 'pendulum-billing-final-1a2b3c4d-shop-aurora']) {
      expect(await allowed('retire-stale-primary', 'DeleteDBCluster', withFinal(stale, other), PRIMARY)).toBe(
        false,
      );
      expect(
        await allowed('retire-recovery-copies', 'DeleteDBCluster', withFinal(recovered, other), RECOVERY),
      ).toBe(false);
    }
    for (const region of [PRIMARY, RECOVERY])
      for (const snapshot of [final, POINT, 'rds:shop-aurora-2026-01-01-00-00'])
        for (const handler of ['retire-stale-primary', 'retire-recovery-copies'])
          expect(
            await allowed(
              handler,
              'DeleteDBClusterSnapshot',
              { DBClusterSnapshotIdentifier: snapshot },
              region,
            ),
            `${handler} ${snapshot} in ${region}`,
          ).toBe(false);
  });

  it('the stale retiring role deletes only instances finalise-home marked stale; the recovery one only those failover made', async () => {
    // Prepare: the stale cluster's instances at home, one marked stale, one not.
    const home = createAwsClients().rds(PRIMARY);
    await home.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'shop-aurora-stale-1a2b3c4d',
        Engine: 'aurora-postgresql',
        MasterUsername: 'orders',
        MasterUserPassword: 'orders-password',
      }),
    );
    for (const [id, tags] of [
      [
        'orders-marked',
        [
          { Key: FAILBACK_TAG.stale, Value: 'failback-1' },
          { Key: TAG.app, Value: 'shop' },
        ],
      ],
      // Another app's stale instance: its finalise marked it with its own app tag.
      [
        'billing-marked',
        [
          { Key: FAILBACK_TAG.stale, Value: 'failback-1' },
          { Key: TAG.app, Value: 'billing' },
        ],
      ],
      ['orders-unmarked', [{ Key: 'team', Value: 'orders' }]],
    ] as const)
      await home.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          DBClusterIdentifier: 'shop-aurora-stale-1a2b3c4d',
          Engine: 'aurora-postgresql',
          DBInstanceClass: 'db.r6g.large',
          Tags: [...tags],
        }),
      );
    const deleting = (id: string) => ({ DBInstanceIdentifier: id, SkipFinalSnapshot: true });

    // Act / Assess
    expect(await whoMay('DeleteDBInstance', deleting('orders-marked'), PRIMARY)).toEqual([
      'lambdas/handlers/retire-stale-primary.ts',
    ]);
    expect(await whoMay('DeleteDBInstance', deleting('orders-unmarked'), PRIMARY)).toEqual([]);
    expect(await whoMay('DeleteDBInstance', deleting('billing-marked'), PRIMARY)).toEqual([]);
    // The mark is read in the home region only.
    expect(
      await allowed('retire-stale-primary', 'DeleteDBInstance', deleting('orders-marked'), RECOVERY),
    ).toBe(false);

    // Prepare: instances of the recovery cluster, one as failover makes it (the app tag), one not.
    const recovered = episodeDbIdentifier('shop-aurora', '1a2b3c4d');
    for (const [id, tags] of [
      [`${recovered}-1`, [{ Key: TAG.app, Value: 'shop' }]],
      [`${recovered}-2`, [{ Key: 'team', Value: 'orders' }]],
    ] as const)
      await createAwsClients()
        .rds(RECOVERY)
        .send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: id,
            DBClusterIdentifier: recovered,
            Engine: 'aurora-postgresql',
            DBInstanceClass: 'db.r6g.large',
            Tags: [...tags],
          }),
        );

    // Act / Assess: by name and the app tag only, in the recovery region only
    expect(await whoMay('DeleteDBInstance', deleting(`${recovered}-1`), RECOVERY)).toEqual([
      'lambdas/handlers/retire-recovery-copies.ts',
    ]);
    expect(await whoMay('DeleteDBInstance', deleting(`${recovered}-2`), RECOVERY)).toEqual([]);
    expect(await whoMay('DeleteDBInstance', deleting('orders-writer'), RECOVERY)).toEqual([]);
  });

  it('reconcile lists clusters in both regions (which recovered and stale ones still exist), and changes none', async () => {
    const list = { Filters: [{ Name: 'db-cluster-id', Values: ['shop-aurora'] }] };
    for (const region of [PRIMARY, RECOVERY]) {
      expect(await allowed('reconcile-failback', 'DescribeDBClusters', list, region), region).toBe(true);
      expect(
        await allowed(
          'reconcile-failback',
          'ModifyDBCluster',
          { DBClusterIdentifier: 'shop-aurora' },
          region,
        ),
      ).toBe(false);
    }
    expect(await allowed('reconcile-failback', 'DescribeDBClusters', list, 'eu-west-1')).toBe(false);
  });

  it('protect deletes only its own cluster snapshots, never one outside its prefixes', async () => {
    for (const region of [PRIMARY, RECOVERY]) {
      for (const own of [POINT, REVERSE_POINT])
        expect(await whoMay('DeleteDBClusterSnapshot', { DBClusterSnapshotIdentifier: own }, region)).toEqual(
          ['lambdas/handlers/protect-tier.ts'],
        );
      for (const other of [
        'rds:shop-aurora-2026-01-01-00-00',
        'pendulum-shop-final-1a2b3c4d-shop-aurora',
        'pendulum-shop-fb-1a2b3c4d-shop-aurora',
        'pendulum-billing-rp-shop-aurora-20260101t000000z-abcdef',
      ])
        expect(
          await allowed(
            'protect-tier',
            'DeleteDBClusterSnapshot',
            { DBClusterSnapshotIdentifier: other },
            region,
          ),
          `${other} in ${region}`,
        ).toBe(false);
    }
  });

  it("protect snapshots only the plan's cluster in the primary, and only the recovered one in the recovery region", async () => {
    const snapshot = (cluster: string, id: string) => ({
      DBClusterIdentifier: cluster,
      DBClusterSnapshotIdentifier: id,
    });
    const recovered = episodeDbIdentifier('shop-aurora', '1a2b3c4d');
    expect(
      await allowed('protect-tier', 'CreateDBClusterSnapshot', snapshot('shop-aurora', POINT), PRIMARY),
    ).toBe(true);
    expect(
      await allowed('protect-tier', 'CreateDBClusterSnapshot', snapshot(recovered, REVERSE_POINT), RECOVERY),
    ).toBe(true);
    // Another cluster, a name outside the prefix, or the stale primary while failed over.
    expect(
      await allowed('protect-tier', 'CreateDBClusterSnapshot', snapshot('billing-aurora', POINT), PRIMARY),
    ).toBe(false);
    expect(
      await allowed(
        'protect-tier',
        'CreateDBClusterSnapshot',
        snapshot('shop-aurora', 'my-snapshot'),
        PRIMARY,
      ),
    ).toBe(false);
    expect(
      await allowed(
        'protect-tier',
        'CreateDBClusterSnapshot',
        snapshot('shop-aurora', REVERSE_POINT),
        PRIMARY,
      ),
    ).toBe(false);
  });

  it('a plan without a cluster grants no cluster action but reconcile listing them (a cluster made while failed over stops failback)', async () => {
    // Act
    const policies = JSON.stringify(synthesizeTemplate(samplePlan()));

    // Assess: only DescribeDBClusters is named, and only reconcile-failback may ask it
    expect([...new Set(policies.match(/rds:[A-Za-z]*DBCluster[A-Za-z]*/g) ?? [])]).toEqual([
      'rds:DescribeDBClusters',
    ]);
    const plain = samplePlan();
    const template = synthesizeTemplate(plain);
    const plainIam = localIamFor(template, {
      region: RECOVERY,
      stackName: stackNameFor(plain),
      accountId: '123456789012',
    });
    const may: string[] = [];
    for (const handler of new Set(lambdaFunctions(template).map((f) => f.handlerModule)))
      if (
        (
          await plainIam.decide(handler, {
            service: 'RDS',
            operation: 'DescribeDBClusters',
            input: {},
            region: RECOVERY,
          })
        ).every((d) => d.allowed)
      )
        may.push(handler);
    expect(may).toEqual(['lambdas/handlers/reconcile-failback.ts']);
  });
});
