/**
 * The situation failback starts from, built by running the real stack against moto: the sample
 * estate protected and failed over to us-west-2, one instance added to role web by hand during
 * failover, one recovered instance terminated on purpose. Then a hand-made FailbackResourcePlan
 * (what the lead's reconciliation would decide) in the run's reconciliation document, and the
 * environment a deployed failback task has.
 */

import {
  CreateImageCommand,
  DescribeImagesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBSubnetGroupCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { expect } from 'vitest';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import { ArtifactStore, runArtifactKey } from '../../lambdas/artifacts/artifact-store';
import {
  FAILBACK_ARTIFACTS,
  type FailbackResourcePlan,
  type FailbackRun,
} from '../../lambdas/failback/failback-run';
import { makeFreezeWritesHandler } from '../../lambdas/handlers/freeze-writes';
import { makeSyncHomeHandler, type SyncHomeResult } from '../../lambdas/handlers/sync-home';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import type { TaskDeps } from '../../lambdas/runtime/task-context';
import { StateTable } from '../../lambdas/state/state-table';
import { localIamFor } from '../../local/iam/local-iam';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { lambdaFunctions } from '../../local/synthesized-app';
import type { EstateKeys } from '../support/estate-keys';
import { samplePlanWith } from '../support/sample-plan';

export const PRIMARY = 'us-east-1';
export const RECOVERY = 'us-west-2';

export interface OutcomeEntry {
  readonly kind: 'ec2' | 'rds';
  readonly tier: string;
  readonly role: string;
  readonly source: string;
  readonly recovered: string;
}

export interface FailedOverEstate {
  readonly plan: Plan;
  readonly estate: SampleEstate;
  readonly stack: LocalStack;
  readonly run: FailbackRun;
  readonly resources: FailbackResourcePlan;
  readonly inventory: OutcomeEntry[];
  /** The instance added to role web in us-west-2 during failover. */
  readonly addedId: string;
  /** The recovered instance terminated during failover (must not come home). */
  readonly terminatedId: string;
  readonly recoveryDb: string;
  readonly artifacts: ArtifactStore;
  /** Clients as a deployed task has them (env set); call after `useTaskEnvironment`. */
  clients(): AwsClients;
  /**
   * The handler as its deployed task runs it: every AWS call it makes is authorized against the
   * synthesized role of the function running `lambdas/handlers/<name>.ts`.
   */
  asTask<A extends unknown[], R>(
    name: string,
    handler: (...args: A) => Promise<R>,
  ): (...args: A) => Promise<R>;
  /** Sets what a deployed failback task sees; returns the restore function. */
  useTaskEnvironment(): () => void;
}

async function byName(ec2: EC2Client, kind: 'subnet' | 'group', name: string): Promise<string> {
  if (kind === 'subnet') {
    const { Subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }),
    );
    if (!Subnets[0]?.SubnetId) throw new Error(`no subnet ${name}`);
    return Subnets[0].SubnetId;
  }
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }] }),
  );
  return SecurityGroups[0]?.GroupId ?? '';
}

export async function failedOverEstate(options: {
  readonly healthUrl: string;
  readonly strategy: 'replica' | 'snapshot';
  readonly runId?: string;
  readonly failbackId?: string;
  /** The database encrypted with a customer managed key in each region, named by the plan. */
  readonly keys?: EstateKeys;
}): Promise<FailedOverEstate> {
  const plan = samplePlanWith((p) => {
    p.healthChecks = [{ name: 'storefront', url: options.healthUrl }];
    const db = p.tiers[0]?.resources[0];
    if (db && 'rds' in db) db.rds.failbackSync = options.strategy;
    if (options.keys) p.encryption = { kmsKeys: options.keys.planKeys, encryptUnencrypted: false };
  });
  const clients = createAwsClients();
  const estate = await createSampleEstate(
    clients,
    options.keys ? { databaseKmsKeyId: options.keys.arns[PRIMARY] } : {},
  );
  // The primary database in a subnet group of its own, as a real one is (placement copies it).
  const east = clients.ec2(PRIMARY);
  await clients.rds(PRIMARY).send(
    new CreateDBSubnetGroupCommand({
      DBSubnetGroupName: 'shop-primary-db',
      DBSubnetGroupDescription: 'shop database in the primary region',
      SubnetIds: [
        await byName(east, 'subnet', 'shop-primary-public'),
        await byName(east, 'subnet', 'shop-primary-private'),
      ],
    }),
  );
  await clients.rds(PRIMARY).send(
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: 'shop-db',
      DBSubnetGroupName: 'shop-primary-db',
      ApplyImmediately: true,
    }),
  );
  if (options.strategy === 'replica') {
    // moto resolves a cross-region replica's subnet group in the source region (AWS: in its own),
    // so the group the replica is asked to use must exist in us-west-2 too for moto to accept it.
    const west = clients.ec2(RECOVERY);
    await clients.rds(RECOVERY).send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: 'shop-primary-db',
        DBSubnetGroupDescription: 'moto quirk: see above',
        SubnetIds: [
          await byName(west, 'subnet', 'shop-recovery-public'),
          await byName(west, 'subnet', 'shop-recovery-private'),
        ],
      }),
    );
  }
  const stack = await deployLocalStack(plan);
  const protect = await stack.run('protect', {});
  expect(protect.status, protect.cause).toBe('SUCCEEDED');
  const failover = await stack.run('failover', {});
  expect(failover.status, failover.cause).toBe('SUCCEEDED');

  const state = new StateTable(clients.dynamo(), stack.tableName);
  const app = await state.getApp(plan.app, PRIMARY);
  const artifacts = new ArtifactStore(clients.s3(), stack.bucketName);
  const outcome = await artifacts.getJson<{ failoverId: string; inventory: OutcomeEntry[] }>(
    String(app.outcomeKey),
  );
  const inventory = outcome.inventory;

  // During failover: someone adds a web instance by hand, and terminates a recovered api instance.
  const west = clients.ec2(RECOVERY);
  const { Images = [] } = await west.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
  const { Instances = [] } = await west.send(
    new RunInstancesCommand({
      ImageId: Images[0]?.ImageId,
      InstanceType: 't3.small',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: await byName(west, 'subnet', 'shop-recovery-public'),
      SecurityGroupIds: [await byName(west, 'group', 'shop-recovery-web')],
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'pendulum-role', Value: 'web' },
            { Key: 'Name', Value: 'shop-web-extra' },
          ],
        },
      ],
    }),
  );
  const addedId = Instances[0]?.InstanceId ?? '';
  const recoveredApi = inventory.filter((e) => e.kind === 'ec2' && e.role === 'api');
  const terminated = recoveredApi[1] as OutcomeEntry;
  await west.send(new TerminateInstancesCommand({ InstanceIds: [terminated.recovered] }));
  const db = inventory.find((e) => e.kind === 'rds') as OutcomeEntry;

  // What reconciliation decides (by hand here): everything live comes home; all of the stale
  // primary is set aside; the recovery copies that come home are retired after the soak.
  const homeInstances = inventory
    .filter((e) => e.kind === 'ec2' && e.recovered !== terminated.recovered)
    .map((e) => ({
      source: e.source,
      recoveryId: e.recovered,
      role: e.role,
      tier: e.tier,
      reason: 'recovered',
    }));
  const resources: FailbackResourcePlan = {
    targetRegion: PRIMARY,
    recoveryRegion: RECOVERY,
    instances: [
      ...homeInstances,
      { recoveryId: addedId, role: 'web', tier: 'app', reason: 'added during failover' },
    ],
    databases: [
      {
        source: db.source,
        recoveryId: db.recovered,
        role: db.role,
        tier: db.tier,
        strategy: options.strategy,
      },
    ],
    stale: [
      ...inventory
        .filter((e) => e.kind === 'ec2')
        .map((e) => ({ kind: 'ec2' as const, id: e.source, role: e.role, tier: e.tier })),
      { kind: 'rds', id: db.source, role: db.role, tier: db.tier },
    ],
    retire: [
      ...homeInstances.map((i) => ({ kind: 'ec2' as const, id: i.recoveryId, role: i.role, tier: i.tier })),
      { kind: 'ec2', id: addedId, role: 'web', tier: 'app' },
      { kind: 'rds', id: db.recovered, role: db.role, tier: db.tier },
    ],
    unknown: [],
    decisions: [
      { subject: terminated.recovered, decision: 'do not bring home', reason: 'terminated during failover' },
    ],
  };
  const run: FailbackRun = {
    app: plan.app,
    runId: options.runId ?? 'failback-run-1',
    failbackId: options.failbackId ?? 'failback-episode-1',
    failoverId: outcome.failoverId,
    failoverRunId: String(app.lastFailoverRunId),
    startedAt: new Date().toISOString(),
    sourceRegion: RECOVERY,
    targetRegion: PRIMARY,
    strategy: 'cutover',
    steps: [100],
    dryRun: false,
    soakSeconds: 0,
    caps: { syncSeconds: 48 * 3600, retireSeconds: 12 * 3600 },
    tiers: [
      { index: 0, name: 'data', timeoutSeconds: 1800 },
      { index: 1, name: 'app', timeoutSeconds: 3600 },
    ],
  };
  await artifacts.putJson(runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.reconciliation), {
    app: run.app,
    runId: run.runId,
    failbackId: run.failbackId,
    resources,
  });

  return {
    plan,
    estate,
    stack,
    run,
    resources,
    inventory,
    addedId,
    terminatedId: terminated.recovered,
    recoveryDb: db.recovered,
    artifacts,
    clients: () => createAwsClients(),
    asTask: (name, handler) => {
      const iam = localIamFor(stack.template, {
        region: stack.region,
        stackName: stack.stackName,
        accountId: '123456789012',
      });
      const fn = lambdaFunctions(stack.template).find(
        (f) => f.handlerModule === `lambdas/handlers/${name}.ts`,
      );
      if (!fn) throw new Error(`no task runs lambdas/handlers/${name}.ts`);
      return (...args) => iam.runAs(fn, () => handler(...args));
    },
    useTaskEnvironment: () => {
      const saved = {
        PENDULUM_PLAN: process.env.PENDULUM_PLAN,
        STATE_TABLE_NAME: process.env.STATE_TABLE_NAME,
        ARTIFACT_BUCKET_NAME: process.env.ARTIFACT_BUCKET_NAME,
        AWS_REGION: process.env.AWS_REGION,
      };
      Object.assign(process.env, {
        PENDULUM_PLAN: JSON.stringify(plan),
        STATE_TABLE_NAME: stack.tableName,
        ARTIFACT_BUCKET_NAME: stack.bucketName,
        AWS_REGION: stack.region,
      });
      return () => {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      };
    },
  };
}

/** Clients whose EC2 CreateImage fails: a fault moto cannot make. */
export function withCreateImageFault(clients: AwsClients): AwsClients {
  return {
    ...clients,
    ec2: (region) => {
      const client = clients.ec2(region);
      const wrapped = Object.create(client) as typeof client;
      const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (wrapped as { send: unknown }).send = (command: unknown, ...rest: unknown[]) =>
        command instanceof CreateImageCommand
          ? Promise.reject(
              Object.assign(new Error('injected CreateImage failure'), { name: 'InjectedFault' }),
            )
          : send(command, ...rest);
      return wrapped;
    },
  };
}

/** Clients that see every AMI as still `pending`: a final copy on its way, which moto never shows. */
export function withImagesPending(clients: AwsClients): AwsClients {
  return {
    ...clients,
    ec2: (region) => {
      const client = clients.ec2(region);
      const wrapped = Object.create(client) as typeof client;
      const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (wrapped as { send: unknown }).send = async (command: unknown, ...rest: unknown[]) => {
        const output = await send(command, ...rest);
        if (!(command instanceof DescribeImagesCommand)) return output;
        const page = output as { Images?: object[] };
        return { ...page, Images: (page.Images ?? []).map((image) => ({ ...image, State: 'pending' })) };
      };
      return wrapped;
    },
  };
}

/**
 * Bringing home as the failback workflow does before DNS moves, each step as its deployed task:
 * sync-home's `home` phase, then (once ready) the write freeze until it holds, then the `final`
 * phase. The answer is the phases' together: ready when both are, counts summed.
 */
/** A DB instance as the estate's clients describe it in `region`, or undefined. */
export async function describeDatabase(f: FailedOverEstate, region: string, id: string) {
  const { DBInstances = [] } = await f
    .clients()
    .rds(region)
    .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  return DBInstances[0];
}

export function syncThroughFreeze(f: FailedOverEstate, deps: TaskDeps = {}) {
  const home = f.asTask('sync-home', makeSyncHomeHandler(deps));
  const freeze = f.asTask('freeze-writes', makeFreezeWritesHandler(deps));
  return async (event: { run: FailbackRun | Record<string, unknown> }): Promise<SyncHomeResult> => {
    const first = await home({ ...event, phase: 'home' });
    if (!first.ready) return first;
    for (let i = 0; i < 5 && !(await freeze(event)).finished; i++);
    const final = await home({ ...event, phase: 'final' });
    return {
      ...final,
      created: first.created + final.created,
      reused: first.reused + final.reused,
      total: first.total,
      laggards: [...first.laggards, ...final.laggards],
    };
  };
}

/**
 * Three minutes on: RDS publishes ReplicaLag once a minute, for the minute before, so a replica's
 * first zero-lag reading after a write freeze exists only a minute or two after it (see moto-gaps).
 */
export const afterLagReading = () => new Date(Date.now() + 3 * 60_000);
