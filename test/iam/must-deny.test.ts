/**
 * What no task role may do, asked of the synthesized role policies with the same evaluator and
 * the same model of each call that enforce every workflow run. Each test would fail if a grant
 * widened; each has an allowed counterpart so it cannot pass by denying everything.
 */
import {
  CreateImageCommand,
  DescribeImagesCommand,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { type LocalIam, localIamFor } from '../../local/iam/local-iam';
import { rolePolicies } from '../../local/iam/role-policies';
import { lambdaFunctions } from '../../local/synthesized-app';
import { localAwsForTests } from '../support/local-aws';
import { samplePlan, samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const tags = (record: Record<string, string>): Tag[] =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));

describe('what no Pendulum role may do', () => {
  localAwsForTests(RECOVERY);
  const plan: Plan = samplePlan();
  let iam: LocalIam;
  let handlers: string[];
  let retirementSchedulerRole = '';
  const made: Record<string, string> = {};

  const decide = (handler: string, service: string, operation: string, input: unknown, region: string) =>
    iam.decide(`lambdas/handlers/${handler}.ts`, { service, operation, input, region });
  const allowed = async (...args: Parameters<typeof decide>) =>
    (await decide(...args)).every((d) => d.allowed);
  /** Every task of the stack, asked the same thing: which ones would AWS let through? */
  const whoMay = async (service: string, operation: string, input: unknown, region: string) => {
    const may: string[] = [];
    for (const handler of handlers) {
      const decisions = await iam.decide(handler, { service, operation, input, region });
      if (decisions.every((d) => d.allowed)) may.push(handler);
    }
    return may;
  };

  beforeAll(async () => {
    const iamApi = new IAMClient({ region: 'us-east-1' });
    await iamApi.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: '{}' }));
    await iamApi.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'admin-profile' }));
    await iamApi.send(
      new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'admin-profile', RoleName: 'admin' }),
    );
    const template = synthesizeTemplate(plan);
    iam = localIamFor(template, {
      region: RECOVERY,
      stackName: stackNameFor(plan),
      accountId: '123456789012',
    });
    handlers = [...new Set(lambdaFunctions(template).map((f) => f.handlerModule))];
    retirementSchedulerRole =
      rolePolicies(template, {
        region: RECOVERY,
        stackName: stackNameFor(plan),
        accountId: '123456789012',
      }).find((r) => /RetirementSchedulerRole/.test(r.logicalId))?.arn ?? '';
    const clients = createAwsClients();
    for (const region of [PRIMARY, RECOVERY]) {
      const ec2 = clients.ec2(region);
      const { Images = [] } = await ec2.send(
        new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 1 }),
      );
      const launch = async (name: string, own: Record<string, string>) => {
        const { Instances = [] } = await ec2.send(
          new RunInstancesCommand({
            ImageId: Images[0]?.ImageId,
            MinCount: 1,
            MaxCount: 1,
            TagSpecifications: [{ ResourceType: 'instance', Tags: tags(own) }],
          }),
        );
        made[`${name}@${region}`] = Instances[0]?.InstanceId ?? '';
      };
      await launch('unrelated', { Name: 'someone-else' });
      await launch('recovered', { [TAG.app]: plan.app, [TAG.failover]: 'f-1' });
      await launch('drill', { [TAG.app]: plan.app, [TAG.drill]: 'd-1' });
      const image = async (name: string, own: Record<string, string>) => {
        const { ImageId } = await ec2.send(
          new CreateImageCommand({
            InstanceId: made[`unrelated@${region}`],
            Name: `${name}-${region}`,
            TagSpecifications: [{ ResourceType: 'image', Tags: tags(own) }],
          }),
        );
        made[`${name}-image@${region}`] = ImageId ?? '';
      };
      await image('someone-elses', { Name: 'golden' });
      await image('final', { [TAG.app]: plan.app, [TAG.kind]: 'final' });
      await image('point', { [TAG.app]: plan.app, [TAG.kind]: 'recovery-point' });
      await clients.rds(region).send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: 'billing-db',
          DBInstanceClass: 'db.t3.micro',
          Engine: 'postgres',
          MasterUsername: 'admin',
          MasterUserPassword: 'password123',
          AllocatedStorage: 20,
        }),
      );
    }
  });

  it('no role deletes a database Pendulum did not make or the plan does not name', async () => {
    const input = {
      DBInstanceIdentifier: 'billing-db',
      FinalDBSnapshotIdentifier: 'pendulum-shop-final-00000000-billing-db',
    };
    expect(await whoMay('RDS', 'DeleteDBInstance', input, RECOVERY)).toEqual([]);
    expect(await whoMay('RDS', 'DeleteDBInstance', input, PRIMARY)).toEqual([]);
    // The counterpart: the recovery copy of the plan's database may be retired, with its final snapshot.
    const copy = {
      DBInstanceIdentifier: 'shop-db-pf-1a2b3c4d',
      FinalDBSnapshotIdentifier: 'pendulum-shop-final-1a2b3c4d-shop-db',
    };
    expect(await whoMay('RDS', 'DeleteDBInstance', copy, RECOVERY)).toEqual([
      'lambdas/handlers/retire-recovery-copies.ts',
    ]);
  });

  it("the write freeze changes only Pendulum's frozen parameter groups, and only the recovery databases", async () => {
    // A shared group of the estate: no role may change it or delete it
    const shared = { DBParameterGroupName: 'shop-postgres-shared', Parameters: [] };
    expect(await whoMay('RDS', 'ModifyDBParameterGroup', shared, RECOVERY)).toEqual([]);
    expect(await whoMay('RDS', 'DeleteDBParameterGroup', shared, RECOVERY)).toEqual([]);
    // Its read-only copy: made and changed by the freeze, deleted by the unfreeze
    const frozen = {
      DBParameterGroupName: 'pendulum-shop-frozen-1a2b3c4d-shop-db-pf-1a2b3c4d',
      Parameters: [],
    };
    expect(await whoMay('RDS', 'ModifyDBParameterGroup', frozen, RECOVERY)).toEqual([
      'lambdas/handlers/freeze-writes.ts',
    ]);
    expect(await whoMay('RDS', 'DeleteDBParameterGroup', frozen, RECOVERY)).toEqual([
      'lambdas/handlers/unfreeze-writes.ts',
    ]);
    expect(await whoMay('RDS', 'ModifyDBParameterGroup', frozen, PRIMARY)).toEqual([]);
    // Only a recovery database takes the frozen group; another database of the account does not
    const freezeOther = {
      DBInstanceIdentifier: 'billing-db',
      DBParameterGroupName: frozen.DBParameterGroupName,
    };
    expect(await allowed('freeze-writes', 'RDS', 'ModifyDBInstance', freezeOther, RECOVERY)).toBe(false);
    expect(
      await allowed(
        'freeze-writes',
        'RDS',
        'RebootDBInstance',
        { DBInstanceIdentifier: 'billing-db' },
        RECOVERY,
      ),
    ).toBe(false);
    const freezeCopy = {
      DBInstanceIdentifier: 'shop-db-pf-1a2b3c4d',
      DBParameterGroupName: frozen.DBParameterGroupName,
    };
    expect(await allowed('freeze-writes', 'RDS', 'ModifyDBInstance', freezeCopy, RECOVERY)).toBe(true);
    // The freeze cannot hand a recovery database some other group
    const otherGroup = {
      DBInstanceIdentifier: 'shop-db-pf-1a2b3c4d',
      DBParameterGroupName: 'shop-postgres-shared',
    };
    expect(await allowed('freeze-writes', 'RDS', 'ModifyDBInstance', otherGroup, RECOVERY)).toBe(false);
  });

  it('no role deletes a final snapshot or a final AMI, in either region', async () => {
    for (const region of [PRIMARY, RECOVERY]) {
      const snapshot = { DBSnapshotIdentifier: 'pendulum-shop-final-1a2b3c4d-shop-db' };
      expect(await whoMay('RDS', 'DeleteDBSnapshot', snapshot, region)).toEqual([]);
      expect(
        await whoMay('EC2', 'DeregisterImage', { ImageId: made[`final-image@${region}`] }, region),
      ).toEqual([]);
    }
    // Protect's own recovery points are the counterpart.
    const point = { DBSnapshotIdentifier: 'pendulum-shop-rp-shop-db-20260101t000000z-abcdef' };
    expect(await whoMay('RDS', 'DeleteDBSnapshot', point, RECOVERY)).toEqual([
      'lambdas/handlers/protect-tier.ts',
    ]);
  });

  it('no role terminates an instance outside the app, in either region', async () => {
    for (const region of [PRIMARY, RECOVERY]) {
      const input = { InstanceIds: [made[`unrelated@${region}`]] };
      expect(await whoMay('EC2', 'TerminateInstances', input, region)).toEqual([]);
    }
  });

  it('protect cannot delete an AMI it did not make, nor tag one to make it deletable', async () => {
    for (const region of [PRIMARY, RECOVERY]) {
      const golden = made[`someone-elses-image@${region}`];
      expect(await allowed('protect-tier', 'EC2', 'DeregisterImage', { ImageId: golden }, region)).toBe(
        false,
      );
      const tagIt = {
        Resources: [golden],
        Tags: tags({ [TAG.app]: plan.app, [TAG.kind]: 'recovery-point' }),
      };
      expect(await whoMay('EC2', 'CreateTags', tagIt, region)).toEqual([]);
      expect(
        await allowed(
          'protect-tier',
          'EC2',
          'DeregisterImage',
          { ImageId: made[`point-image@${region}`] },
          region,
        ),
      ).toBe(true);
    }
  });

  it('reverse protection images only the recovered estate in the recovery region, never the stale primary, and deletes only reverse points', async () => {
    const reversePoint = (InstanceId: string | undefined) => ({
      InstanceId,
      Name: 'pendulum-shop-rv-x',
      TagSpecifications: ['image', 'snapshot'].map((ResourceType) => ({
        ResourceType,
        Tags: tags({ [TAG.app]: plan.app, [TAG.kind]: 'reverse-point' }),
      })),
    });
    // The recovered instance (tagged by failover) may be imaged as a reverse point, in the recovery region
    expect(
      await allowed(
        'protect-tier',
        'EC2',
        'CreateImage',
        reversePoint(made[`recovered@${RECOVERY}`]),
        RECOVERY,
      ),
    ).toBe(true);
    // Never an instance of the primary region as a reverse point, nor an unrelated one
    expect(await whoMay('EC2', 'CreateImage', reversePoint(made[`recovered@${PRIMARY}`]), PRIMARY)).toEqual(
      [],
    );
    expect(await whoMay('EC2', 'CreateImage', reversePoint(made[`unrelated@${RECOVERY}`]), RECOVERY)).toEqual(
      [],
    );
    // DB snapshots: of the recovered database, named as protect's reverse points; never of the stale primary
    const snapshot = (DBInstanceIdentifier: string, DBSnapshotIdentifier: string) => ({
      DBInstanceIdentifier,
      DBSnapshotIdentifier,
      Tags: tags({ [TAG.app]: plan.app, [TAG.kind]: 'reverse-point' }),
    });
    const rv = 'pendulum-shop-rv-shop-db-pf-1a2b3c4d-20260101t000000z-abcdef';
    expect(
      await allowed('protect-tier', 'RDS', 'CreateDBSnapshot', snapshot('shop-db-pf-1a2b3c4d', rv), RECOVERY),
    ).toBe(true);
    expect(await whoMay('RDS', 'CreateDBSnapshot', snapshot('shop-db', rv), PRIMARY)).toEqual([]);
    expect(
      await allowed('protect-tier', 'RDS', 'CreateDBSnapshot', snapshot('billing-db', rv), RECOVERY),
    ).toBe(false);
    // Only protect deletes a reverse DB snapshot, in either region; never a failback sync snapshot
    for (const region of [PRIMARY, RECOVERY]) {
      expect(await whoMay('RDS', 'DeleteDBSnapshot', { DBSnapshotIdentifier: rv }, region)).toEqual([
        'lambdas/handlers/protect-tier.ts',
      ]);
      expect(
        await allowed(
          'protect-tier',
          'RDS',
          'DeleteDBSnapshot',
          { DBSnapshotIdentifier: 'pendulum-shop-fb-1a2b3c4d-shop-db' },
          region,
        ),
      ).toBe(false);
    }
  });

  it("a drill cannot terminate a live failover's recovery instance, only its own", async () => {
    const live = { InstanceIds: [made[`recovered@${RECOVERY}`]] };
    const drill = { InstanceIds: [made[`drill@${RECOVERY}`]] };
    expect(await allowed('tear-down-drill', 'EC2', 'TerminateInstances', live, RECOVERY)).toBe(false);
    expect(await allowed('tear-down-drill', 'EC2', 'TerminateInstances', drill, RECOVERY)).toBe(true);
    expect(
      await allowed(
        'tear-down-drill',
        'RDS',
        'DeleteDBInstance',
        { DBInstanceIdentifier: 'shop-db-pf-1a2b3c4d' },
        RECOVERY,
      ),
    ).toBe(false);
  });

  it("no role acts outside the plan's two regions", async () => {
    const elsewhere = 'eu-west-1';
    expect(
      await whoMay('EC2', 'TerminateInstances', { InstanceIds: ['i-0123456789abcdef0'] }, elsewhere),
    ).toEqual([]);
    expect(await whoMay('EC2', 'DescribeInstances', {}, elsewhere)).toEqual([]);
    expect(await whoMay('RDS', 'DescribeDBInstances', {}, elsewhere)).toEqual([]);
    const copy = {
      DBInstanceIdentifier: 'shop-db-pf-1a2b3c4d',
      FinalDBSnapshotIdentifier: 'pendulum-shop-final-1a2b3c4d-shop-db',
    };
    expect(await whoMay('RDS', 'DeleteDBInstance', copy, elsewhere)).toEqual([]);
  });

  it("Route 53 writes reach only the plan's managed records (drills: only the drill names)", async () => {
    const change = (name: string) => ({
      HostedZoneId: 'Z0123456789',
      ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: 'A' } }] },
    });
    expect(
      await whoMay('Route53', 'ChangeResourceRecordSets', change('mail.shop.example.com.'), 'us-east-1'),
    ).toEqual([]);
    expect(
      (
        await whoMay('Route53', 'ChangeResourceRecordSets', change('www.shop.example.com.'), 'us-east-1')
      ).sort(),
    ).toEqual([
      'lambdas/handlers/cut-over-dns.ts',
      'lambdas/handlers/roll-back-dns.ts',
      'lambdas/handlers/shift-dns.ts',
    ]);
    expect(
      await whoMay('Route53', 'ChangeResourceRecordSets', change('drill.www.shop.example.com'), 'us-east-1'),
    ).toEqual(['lambdas/handlers/cut-over-dns.ts', 'lambdas/handlers/tear-down-drill.ts']);
  });

  it('no role passes a role to EC2 that the plan does not name', async () => {
    const launch = {
      ImageId: made[`point-image@${RECOVERY}`],
      SubnetId: 'subnet-0123456789abcdef0',
      IamInstanceProfile: { Name: 'admin-profile' },
      TagSpecifications: ['instance' as const, 'volume' as const].map((ResourceType) => ({
        ResourceType,
        Tags: tags({ [TAG.app]: plan.app }),
      })),
    };
    const decisions = await decide('recover-tier', 'EC2', 'RunInstances', launch, RECOVERY);
    expect(decisions.filter((d) => !d.allowed).map((d) => d.action)).toEqual(['iam:PassRole']);
  });

  it("only the scheduling task makes schedules: the app's retirement schedules, started with the retirement scheduler role", async () => {
    const schedule = (change: { GroupName?: string; Name?: string; RoleArn?: string } = {}) => ({
      GroupName: change.GroupName ?? 'pendulum-shop-schedules',
      Name: change.Name ?? 'shop-retire-1a2b3c4d',
      ScheduleExpression: 'at(2030-01-01T00:00:00)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:states:us-west-2:123456789012:stateMachine:pendulum-shop-retirement',
        RoleArn: change.RoleArn ?? retirementSchedulerRole,
      },
    });
    const denied = async (input: ReturnType<typeof schedule>, region = RECOVERY) =>
      (await decide('schedule-retirement', 'Scheduler', 'CreateSchedule', input, region))
        .filter((d) => !d.allowed)
        .map((d) => d.action);

    expect(retirementSchedulerRole).toMatch(/^arn:aws:iam::123456789012:role\//);
    expect(await whoMay('Scheduler', 'CreateSchedule', schedule(), RECOVERY)).toEqual([
      'lambdas/handlers/schedule-retirement.ts',
    ]);
    expect(await denied(schedule({ Name: 'billing-retire-1a2b3c4d' }))).toEqual(['scheduler:CreateSchedule']);
    expect(await denied(schedule({ Name: 'shop-drill-1a2b3c4d' }))).toEqual(['scheduler:CreateSchedule']);
    expect(await denied(schedule({ GroupName: 'default' }))).toEqual(['scheduler:CreateSchedule']);
    expect(await denied(schedule(), PRIMARY)).toEqual(['scheduler:CreateSchedule']);
    expect(await denied(schedule({ RoleArn: 'arn:aws:iam::123456789012:role/admin' }))).toEqual([
      'iam:PassRole',
    ]);
    expect(await whoMay('Scheduler', 'DeleteSchedule', schedule(), RECOVERY)).toEqual([]);
  });
});

describe('what no Pendulum role may do to private hosted zones', () => {
  const PRIVATE_ZONE = 'Z0PRIVATE0SHOP';
  const plan = samplePlanWith((p) => {
    p.dns?.zones?.push({
      name: 'shop.internal',
      id: PRIVATE_ZONE,
      private: true,
      records: [{ name: 'api.shop.internal', type: 'A', target: { role: 'api' } }],
    });
  });
  const template = synthesizeTemplate(plan);
  const iam = localIamFor(template, {
    region: RECOVERY,
    stackName: stackNameFor(plan),
    accountId: '123456789012',
  });
  const handlers = [...new Set(lambdaFunctions(template).map((f) => f.handlerModule))];
  const whoMay = async (operation: string, zone: string, region: string) => {
    const input = { HostedZoneId: zone, VPC: { VPCId: 'vpc-0123456789abcdef0', VPCRegion: region } };
    const may: string[] = [];
    for (const handler of handlers) {
      const decisions = await iam.decide(handler, {
        service: 'Route53',
        operation,
        input,
        region: 'us-east-1',
      });
      if (decisions.every((d) => d.allowed)) may.push(handler);
    }
    return may;
  };

  it("only the association task associates, only the plan's private zones, only with VPCs of the recovery region, and nothing disassociates", async () => {
    expect(await whoMay('AssociateVPCWithHostedZone', PRIVATE_ZONE, RECOVERY)).toEqual([
      'lambdas/handlers/associate-private-zones.ts',
    ]);
    expect(await whoMay('AssociateVPCWithHostedZone', 'Z0SOMEONE0ELSES', RECOVERY)).toEqual([]);
    expect(await whoMay('AssociateVPCWithHostedZone', PRIVATE_ZONE, PRIMARY)).toEqual([]);
    expect(await whoMay('AssociateVPCWithHostedZone', PRIVATE_ZONE, 'eu-west-1')).toEqual([]);
    expect(await whoMay('DisassociateVPCFromHostedZone', PRIVATE_ZONE, RECOVERY)).toEqual([]);
  });
});
