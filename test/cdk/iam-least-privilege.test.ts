/**
 * Properties every policy of the synthesized stack must have, whatever the plan: checked on the
 * sample plan and on one that uses everything (ids and tags, a replica, a profile, hooks, alarms).
 */
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { asList, roleOf, rolePolicies, statementsOf } from '../../local/iam/role-policies';
import { lambdaFunctions } from '../../local/synthesized-app';
import { samplePlan, samplePlanWith } from '../support/sample-plan';

const everything = () =>
  samplePlanWith((p) => {
    const db = p.tiers[0]?.resources[0];
    if (db && 'rds' in db) db.rds.replicaIdentifier = 'shop-db-replica';
    p.tiers[1]?.resources.push({ ec2: { role: 'batch', ids: ['i-0123456789abcdef0'] } });
    p.placement = {
      ...p.placement,
      web: { ...p.placement?.web, instanceProfile: 'shop-web', instanceRole: 'shop-web' },
    };
    p.healthChecks = [...(p.healthChecks ?? []), { name: 'errors', alarmName: 'shop-5xx' }];
    p.hooks = {
      preFailover: [{ lambda: { functionArn: 'arn:aws:lambda:us-west-2:123456789012:function:freeze' } }],
      preFailback: [
        {
          webhook: {
            url: 'https://ops.example.com/hook',
            secretArn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:pendulum/hook',
          },
        },
      ],
    };
  });

const PLANS: [string, () => Plan][] = [
  ['the sample plan', samplePlan],
  ['a plan that uses everything', everything],
];

/** Services whose API has no region, and the function's own traces. */
const GLOBAL = /^(route53|iam|xray):/;

describe.each(PLANS)('the task policies synthesized for %s', (_name, makePlan) => {
  const plan = makePlan();
  const template = synthesizeTemplate(plan);
  const resolve = { region: plan.recoveryRegion, stackName: stackNameFor(plan), accountId: '123456789012' };
  const taskRoles = new Set(lambdaFunctions(template, resolve).map((f) => roleOf(template, f.logicalId)));
  const statements = rolePolicies(template, resolve)
    .filter((role) => taskRoles.has(role.logicalId))
    .flatMap((role) =>
      role.policies.flatMap((p) =>
        statementsOf(p.policy)
          .filter((s) => s.Effect === 'Allow')
          .map((s) => ({ role: role.logicalId, policy: p.name, ...s })),
      ),
    );

  it('allow Resource "*" only for actions that support no resource-level permissions', async () => {
    const wide: string[] = [];
    for (const s of statements.filter((s) => asList(s.Resource).includes('*')))
      for (const action of asList(s.Action)) {
        const [service = '', name = ''] = action.split(':');
        if (!(await isWildcardOnlyAction(service, name))) wide.push(`${s.policy}: ${action}`);
      }
    expect(wide).toEqual([]);
  });

  it('let no role tag an existing EC2 resource: CreateTags only with ec2:CreateAction', () => {
    const tagging = statements.filter((s) => asList(s.Action).includes('ec2:CreateTags'));
    expect(tagging.length).toBeGreaterThan(0);
    for (const s of tagging) expect(s.Condition?.StringEquals?.['ec2:CreateAction'], s.policy).toBeDefined();
  });

  it("reach no region but the plan's two", () => {
    const regions = new Set([plan.primaryRegion, plan.recoveryRegion]);
    const outside: string[] = [];
    for (const s of statements) {
      for (const resource of asList(s.Resource)) {
        if (resource === '*') {
          const actions = asList(s.Action).filter((a) => !GLOBAL.test(a));
          const requested = asList(
            s.Condition?.StringEquals?.['aws:RequestedRegion'] as string | string[] | undefined,
          );
          if (actions.length > 0 && (requested.length === 0 || requested.some((r) => !regions.has(r))))
            outside.push(`${s.policy}: ${actions.join(',')} on * without the plan's regions`);
          continue;
        }
        const region = resource.split(':')[3] ?? '';
        if (region !== '' && !regions.has(region)) outside.push(`${s.policy}: ${resource}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it("delete DB snapshots only under protect's (forward and reverse) and failback-sync's prefixes, never a final one", () => {
    const deletes = statements.filter((s) => asList(s.Action).includes('rds:DeleteDBSnapshot'));
    const resources = deletes.flatMap((s) => asList(s.Resource).map((r) => r.split(':').slice(5).join(':')));
    expect(resources).toContain('snapshot:pendulum-shop-fb-*');
    expect(resources).toContain('snapshot:pendulum-shop-rv-*');
    for (const resource of resources)
      expect([
        'snapshot:pendulum-shop-fb-*',
        'snapshot:pendulum-shop-rp-*',
        'snapshot:pendulum-shop-rv-*',
      ]).toContain(resource);
  });

  it('pass roles to EC2 only the roles the plan names, and to Scheduler only the retirement scheduler role', () => {
    const passing = statements.filter((s) => asList(s.Action).includes('iam:PassRole'));
    const passedTo = (service: string) =>
      passing.filter((s) => s.Condition?.StringEquals?.['iam:PassedToService'] === service);
    const toEc2 = passedTo('ec2.amazonaws.com');
    const toScheduler = passedTo('scheduler.amazonaws.com');
    expect(toEc2.length + toScheduler.length).toBe(passing.length);
    for (const s of toEc2)
      expect(asList(s.Resource)).toEqual(
        plan.placement.web?.instanceRole ? ['arn:aws:iam::123456789012:role/shop-web'] : [],
      );
    expect(toEc2.length > 0).toBe(Boolean(plan.placement.web?.instanceRole));
    const schedulerRoles = rolePolicies(template, resolve).filter((r) =>
      /RetirementSchedulerRole/.test(r.logicalId),
    );
    expect(schedulerRoles).toHaveLength(1);
    expect(toScheduler.map((s) => [s.role, asList(s.Resource)])).toEqual([
      [expect.stringMatching(/ScheduleRetirement/), [schedulerRoles[0]?.arn]],
    ]);
  });
});
