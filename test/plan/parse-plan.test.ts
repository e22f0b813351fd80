import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freezeModeOf, isStatefulRecord } from '../../lambdas/plan/failback-freeze';
import { parsePlanObject, parsePlanText } from '../../lambdas/plan/parse-plan';
import { formatPlanPath } from '../../lambdas/plan/plan-references';
import type { PlanInput } from '../../lambdas/plan/plan-schema';

const samplePlanText = readFileSync(new URL('../../examples/pendulum.yaml', import.meta.url), 'utf8');

function validPlan(): PlanInput {
  return {
    app: 'shop',
    primaryRegion: 'us-east-1',
    recoveryRegion: 'us-west-2',
    tiers: [
      { name: 'data', rpo: '1h', rto: '30m', resources: [{ rds: { identifier: 'shop-db' } }] },
      {
        name: 'app',
        rpo: '4h',
        rto: '1h',
        resources: [{ ec2: { role: 'web', tag: { key: 'role', value: 'web' } } }],
      },
    ],
    placement: { web: { subnets: ['subnet-0abc1234'], securityGroups: ['sg-0abc1234'] } },
    dns: {
      zones: [
        {
          name: 'shop.example.com',
          records: [
            { name: 'www.shop.example.com', type: 'A', target: { role: 'web' } },
            { name: 'db.shop.example.com', type: 'CNAME', target: { database: 'shop-db' } },
          ],
        },
      ],
    },
  };
}

/** Problems as `path: message` strings, for readable assertions. */
function problemsOf(mutate: (plan: PlanInput & Record<string, unknown>) => void): string[] {
  const plan = structuredClone(validPlan()) as PlanInput & Record<string, unknown>;
  mutate(plan);
  const result = parsePlanObject(plan);
  if (result.ok) return [];
  return result.problems.map((p) => `${formatPlanPath(p.path)}: ${p.message}`);
}

describe('the protection plan', () => {
  it('accepts the annotated sample plan and fills in defaults', () => {
    // Act
    const result = parsePlanText(samplePlanText);
    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.app).toBe('shop');
    expect(result.plan.tiers.map((t) => t.name)).toEqual(['data', 'app']);
    expect(result.plan.failback.strategy).toBe('staged');
    expect(result.plan.hooks.preFailover).toEqual([]);
    // An Aurora cluster is accepted (no longer refused at validate), with the freeze it needs.
    expect(result.plan.tiers[0]?.resources).toContainEqual({
      aurora: { clusterIdentifier: 'shop-orders', role: 'orders' },
    });
    expect(result.plan.failback.freeze).toBe('maintenance');
  });

  it('accepts the minimal plan', () => {
    expect(problemsOf(() => {})).toEqual([]);
  });

  // Each row: a kind of mistake, how to make it, and the path and message we expect.
  const badPlans: [string, (plan: PlanInput & Record<string, unknown>) => void, string, RegExp][] = [
    [
      'a database record marked stateless',
      (p) => ((p.dns?.zones?.[0]?.records?.[1] as { stateful?: boolean }).stateful = false),
      'dns.zones[0].records[1].stateful',
      /moves once, for all clients, at the data cutover/,
    ],
    [
      'a hook freeze without a preFailback hook',
      (p) => (p.failback = { freeze: 'hook' }),
      'failback.freeze',
      /expected a preFailback hook/,
    ],
    [
      'a maintenance freeze without its target',
      (p) => (p.failback = { freeze: 'maintenance' }),
      'failback.maintenance',
      /expected the maintenance target/,
    ],
    [
      'a maintenance target without a value for a stateless record type',
      (p) => (p.failback = { freeze: 'maintenance', maintenance: { CNAME: 'maintenance.example.com' } }),
      'dns.zones[0].records[0].type',
      /expected failback\.maintenance\.A/,
    ],
    [
      'an unknown freeze',
      (p) => (p.failback = { freeze: 'pause' as 'none' }),
      'failback.freeze',
      /hook|readOnly/,
    ],
    ['missing app', (p) => delete (p as Partial<PlanInput>).app, 'app', /required/],
    ['app with capitals', (p) => (p.app = 'Shop'), 'app', /lower-case name/],
    ['unknown region', (p) => (p.primaryRegion = 'mars-1'), 'primaryRegion', /AWS region/],
    ['same regions', (p) => (p.recoveryRegion = 'us-east-1'), 'recoveryRegion', /other than the primary/],
    ['no tiers', (p) => (p.tiers = []), 'tiers', /at least one tier/],
    ['bad duration', (p) => ((p.tiers[0] as { rpo: string }).rpo = '1 hour'), 'tiers[0].rpo', /duration/],
    [
      'zero duration',
      (p) => ((p.tiers[0] as { rto: string }).rto = '0m'),
      'tiers[0].rto',
      /greater than zero/,
    ],
    [
      'recovery cap shorter than the RTO',
      (p) => ((p.tiers[0] as { recoveryCap?: string }).recoveryCap = '20m'),
      'tiers[0].recoveryCap',
      /at least the tier's rto \(30m\)/,
    ],
    [
      'recovery cap that is not a duration',
      (p) => ((p.tiers[0] as { recoveryCap?: string }).recoveryCap = 'forever'),
      'tiers[0].recoveryCap',
      /duration/,
    ],
    [
      'ec2 with ids and tag',
      (p) => {
        p.tiers[1] = {
          ...p.tiers[1],
          resources: [{ ec2: { role: 'web', ids: ['i-0abc12345def67890'], tag: { key: 'a', value: 'b' } } }],
        } as never;
      },
      'tiers[1].resources[0].ec2',
      /exactly one of ids or tag/,
    ],
    [
      'tag selector without value',
      (p) => {
        p.tiers[1] = { ...p.tiers[1], resources: [{ ec2: { role: 'web', tag: { key: 'a' } } }] } as never;
      },
      'tiers[1].resources[0].ec2.tag.value',
      /required/,
    ],
    [
      'malformed instance id',
      (p) => {
        p.tiers[1] = { ...p.tiers[1], resources: [{ ec2: { role: 'web', ids: ['web-1'] } }] } as never;
      },
      'tiers[1].resources[0].ec2.ids[0]',
      /instance id/,
    ],
    [
      'resource of unknown kind',
      (p) => {
        p.tiers[0] = { ...p.tiers[0], resources: [{ lambda: { name: 'x' } }] } as never;
      },
      'tiers[0].resources[0]',
      /exactly one of ec2, rds or aurora/,
    ],
    [
      'a reader endpoint of a database that is not an Aurora cluster',
      (p) => {
        const zone = p.dns?.zones?.[0];
        if (zone?.records?.[1]) zone.records[1].target = { database: 'shop-db', endpoint: 'reader' };
      },
      'dns.zones[0].records[1].target.endpoint',
      /expected endpoint: reader only for an Aurora cluster; "shop-db" is not one/,
    ],
    ['unknown top-level field', (p) => (p.colour = 'blue'), '(plan)', /unexpected field\(s\) colour/],
    [
      'record targets unknown role',
      (p) => {
        const zone = p.dns?.zones?.[0];
        if (zone?.records?.[0]) zone.records[0].target = { role: 'api' };
      },
      'dns.zones[0].records[0].target.role',
      /EC2 role named in a tier/,
    ],
    [
      'record targets unknown database',
      (p) => {
        const zone = p.dns?.zones?.[0];
        if (zone?.records?.[1]) zone.records[1].target = { database: 'other-db' };
      },
      'dns.zones[0].records[1].target.database',
      /database named in a tier/,
    ],
    [
      'record outside its zone',
      (p) => {
        const zone = p.dns?.zones?.[0];
        if (zone?.records?.[0]) zone.records[0].name = 'www.elsewhere.org';
      },
      'dns.zones[0].records[0].name',
      /inside the zone/,
    ],
    [
      'database record that is not a CNAME',
      (p) => {
        const zone = p.dns?.zones?.[0];
        if (zone?.records?.[1]) zone.records[1].type = 'A';
      },
      'dns.zones[0].records[1].type',
      /CNAME/,
    ],
    [
      'fixed values missing the recovery region',
      (p) => {
        const zone = p.dns?.zones?.[0];
        zone?.records?.push({
          name: 'cdn.shop.example.com',
          type: 'CNAME',
          target: { values: { 'us-east-1': ['a.example.net'] } },
        });
      },
      'dns.zones[0].records[2].target.values',
      /values for region us-west-2/,
    ],
    [
      'placement for unknown role',
      (p) => (p.placement = { api: { instanceType: 't3.small' } }),
      'placement.api',
      /role or database/,
    ],
    [
      'bad subnet id',
      (p) => (p.placement = { web: { subnets: ['subnet-xyz'] } }),
      'placement.web.subnets[0]',
      /subnet id/,
    ],
    [
      'bad failback strategy',
      (p) => (p.failback = { strategy: 'gradual' } as never),
      'failback.strategy',
      /cutover|staged/,
    ],
    [
      'steps not ending at 100',
      (p) => (p.failback = { steps: [10, 50] }),
      'failback.steps',
      /last step to be 100/,
    ],
    ['steps out of order', (p) => (p.failback = { steps: [50, 10, 100] }), 'failback.steps[1]', /increasing/],
    ['alarm that is not an ARN', (p) => (p.triggers = { alarms: ['shop-5xx'] }), 'triggers.alarms[0]', /ARN/],
    [
      'bad trigger mode',
      (p) => (p.triggers = { mode: 'yolo' } as never),
      'triggers.mode',
      /automatic|approval/,
    ],
    [
      'hook with a non-http URL',
      (p) => {
        p.hooks = {
          preFailover: [
            {
              webhook: {
                url: 'ftp://x.example.com',
                secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
              },
            },
          ],
        };
      },
      'hooks.preFailover[0].webhook.url',
      /http/,
    ],
    [
      'failback window with a bad cron',
      (p) => (p.failback = { windows: [{ cron: '0 2 * * SUN', duration: '4h' }] }),
      'failback.windows[0].cron',
      /cron\(/,
    ],
    [
      'role used twice',
      (p) => {
        p.tiers[0] = {
          ...p.tiers[0],
          resources: [
            ...(p.tiers[0]?.resources ?? []),
            { ec2: { role: 'web', tag: { key: 'a', value: 'b' } } },
          ],
        } as never;
      },
      'tiers[1].resources[0].ec2.role',
      /each role once/,
    ],
    [
      'duplicate tier name',
      (p) => {
        (p.tiers[1] as { name: string }).name = 'data';
      },
      'tiers[1].name',
      /unique tier name/,
    ],
  ];

  it.each(badPlans)('rejects %s with the path and what was expected', (_kind, mutate, path, message) => {
    // Act
    const problems = problemsOf(mutate);
    // Assess
    const match = problems.find((p) => p.startsWith(`${path}: `));
    expect(match, `expected a problem at ${path}, got:\n${problems.join('\n')}`).toBeDefined();
    expect(match).toMatch(message);
  });

  it('reports every problem of a plan at once, not just the first', () => {
    const problems = problemsOf((p) => {
      p.app = 'Bad App';
      p.primaryRegion = 'nowhere';
      (p.tiers[0] as { rpo: string }).rpo = 'soon';
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['app', 'primaryRegion', 'tiers[0].rpo']);
  });

  it('gives the line and column of a problem in the YAML', () => {
    const text = samplePlanText.replace('rpo: 4h', 'rpo: four hours');
    const result = parsePlanText(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lineNumber = text.split('\n').findIndex((line) => line.includes('four hours')) + 1;
    expect(result.problems).toEqual([
      expect.objectContaining({
        path: ['tiers', 1, 'rpo'],
        line: lineNumber,
        message: expect.stringMatching(/duration/),
      }),
    ]);
  });

  it('reports a YAML syntax error with line and column, not a stack trace', () => {
    const result = parsePlanText('app: shop\ntiers: [\n  - name: x\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.message).toMatch(/^YAML syntax error/);
    expect(result.problems[0]?.line).toBeGreaterThan(0);
  });

  it('says an empty file is empty', () => {
    for (const text of ['', '   \n# only a comment\n']) {
      const result = parsePlanText(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems[0]?.message).toMatch(/empty/);
    }
  });
});

describe('hosted zones', () => {
  it('takes a public and a private zone of the same name as two zones, but not the same zone twice', () => {
    const zone = { name: 'shop.example.com', records: [] };
    expect(problemsOf((p) => (p.dns = { zones: [zone, { ...zone, private: true }] }))).toEqual([]);
    expect(problemsOf((p) => (p.dns = { zones: [zone, zone] }))).toEqual([
      'dns.zones[1]: expected each hosted zone once; shop.example.com (public) is listed twice',
    ]);
  });
});

describe('the write freeze a plan gets', () => {
  const planWith = (mutate: (p: PlanInput) => void) => {
    const plan = structuredClone(validPlan());
    mutate(plan);
    const result = parsePlanObject(plan);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.plan;
  };
  it('is readOnly for a plan with databases, hook once it has a preFailback hook, none without data', () => {
    expect(freezeModeOf(planWith(() => {}))).toBe('readOnly');
    const hook = { lambda: { functionArn: 'arn:aws:lambda:us-west-2:123456789012:function:freeze' } };
    expect(freezeModeOf(planWith((p) => (p.hooks = { preFailback: [hook] })))).toBe('hook');
    expect(
      freezeModeOf(
        planWith((p) => {
          p.tiers = [p.tiers[1] as PlanInput['tiers'][number]];
          p.dns = { zones: [] };
        }),
      ),
    ).toBe('none');
    expect(freezeModeOf(planWith((p) => (p.failback = { freeze: 'none' })))).toBe('none');
  });

  it('a database record is stateful; another only when the plan says so', () => {
    const plan = planWith(() => {});
    const [www, db] = plan.dns.zones[0]?.records ?? [];
    expect(isStatefulRecord(db as never)).toBe(true);
    expect(isStatefulRecord(www as never)).toBe(false);
    expect(isStatefulRecord({ ...(www as object), stateful: true } as never)).toBe(true);
  });
});
