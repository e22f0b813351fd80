import { describe, expect, it } from 'vitest';
import {
  type FailbackResourceInput,
  planFailbackResources,
} from '../../lambdas/failback/plan-failback-resources';
import type { EstateDatabase } from '../../lambdas/failback/unknown-resources';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { samplePlan } from '../support/sample-plan';

const NOTHING_ELSE: FailbackResourceInput['estate'] = {
  placement: {
    subnets: { 'subnet-public': ['web'], 'subnet-private': ['api'] },
    dbSubnetGroups: { 'shop-recovery-db': ['shop-db'] },
  },
  instances: [],
  databases: [],
};

describe('what comes home', () => {
  const plan = samplePlan();
  const recovered = [
    {
      kind: 'rds' as const,
      tier: 'data',
      role: 'shop-db',
      source: 'shop-db',
      recovered: 'shop-db-pf-1a2b3c4d',
    },
    {
      kind: 'ec2' as const,
      tier: 'app',
      role: 'web',
      source: 'i-0000000000000web1',
      recovered: 'i-0000000000000rec1',
      from: 'ami-0000000000recweb',
    },
    {
      kind: 'ec2' as const,
      tier: 'app',
      role: 'web',
      source: 'i-0000000000000web2',
      recovered: 'i-0000000000000rec2',
    },
  ];

  const input = (): FailbackResourceInput => ({
    plan,
    targetRegion: 'us-east-1',
    recovered,
    recoveryInstances: [{ id: 'i-0000000000000rec1', role: 'web', source: 'i-0000000000000web1' }],
    recoveryDatabases: ['shop-db-pf-1a2b3c4d'],
    staleInstances: [],
    staleDatabases: [],
    estate: NOTHING_ELSE,
  });

  it('brings home recovered and added instances, not terminated ones, and sets the stale primary aside', () => {
    // Act
    const result = planFailbackResources({
      plan,
      targetRegion: 'us-east-1',
      recovered,
      recoveryInstances: [
        { id: 'i-0000000000000rec1', role: 'web', source: 'i-0000000000000web1' },
        { id: 'i-00000000000added1', role: 'web' },
      ],
      recoveryDatabases: ['shop-db-pf-1a2b3c4d'],
      staleInstances: ['i-0000000000000web1', 'i-0000000000000web2'],
      staleDatabases: ['shop-db'],
      estate: NOTHING_ELSE,
    });
    // Assess
    expect(result.instances.map((i) => [i.recoveryId, i.source ?? null])).toEqual([
      ['i-0000000000000rec1', 'i-0000000000000web1'],
      ['i-00000000000added1', null],
    ]);
    expect(result.databases).toEqual([
      {
        source: 'shop-db',
        recoveryId: 'shop-db-pf-1a2b3c4d',
        role: 'shop-db',
        tier: 'data',
        strategy: 'snapshot',
      },
    ]);
    expect(result.stale.map((s) => s.id).sort()).toEqual([
      'i-0000000000000web1',
      'i-0000000000000web2',
      'shop-db',
    ]);
    expect(result.retire.map((r) => r.id).sort()).toEqual(
      ['i-00000000000added1', 'i-0000000000000rec1', 'shop-db-pf-1a2b3c4d'].sort(),
    );
    const terminated = result.decisions.find((d) => d.subject === 'i-0000000000000rec2');
    expect(terminated).toMatchObject({ decision: 'do not bring home' });
    expect(terminated?.reason).toMatch(/terminated/);
    expect(result.decisions.find((d) => d.subject === 'i-00000000000added1')?.reason).toMatch(/added/);
  });

  it('lists an instance tagged with a role the plan does not have as unknown, not as the role', () => {
    const result = planFailbackResources({
      ...input(),
      recoveryInstances: [{ id: 'i-00000000000other1', role: 'batch' }],
      estate: {
        ...NOTHING_ELSE,
        instances: [{ id: 'i-00000000000other1', tags: { [TAG.app]: 'shop', [TAG.role]: 'batch' } }],
      },
    });
    expect(result.instances).toEqual([]);
    expect(result.unknown).toMatchObject([
      { kind: 'ec2', id: 'i-00000000000other1', found: 'carries pendulum:app=shop', outcome: 'conflict' },
    ]);
  });

  describe('what the inventory does not know', () => {
    it("brings home an instance with the app tag launched from a role's recovery point, and never retires it", () => {
      // Act
      const result = planFailbackResources({
        ...input(),
        estate: {
          ...NOTHING_ELSE,
          instances: [
            { id: 'i-0000000000clone1', imageId: 'ami-0000000000recweb', tags: { [TAG.app]: 'shop' } },
          ],
        },
      });
      // Assess
      expect(result.unknown).toMatchObject([
        {
          id: 'i-0000000000clone1',
          role: 'web',
          tier: 'app',
          outcome: 'bring home',
          inferredFrom: expect.stringMatching(/ami-0000000000recweb/),
        },
      ]);
      expect(result.instances.find((i) => i.recoveryId === 'i-0000000000clone1')).toMatchObject({
        role: 'web',
        tier: 'app',
        reason: expect.stringMatching(/not in the failover's inventory/),
      });
      expect(result.instances.find((i) => i.recoveryId === 'i-0000000000clone1')?.source).toBeUndefined();
      expect(result.retire.map((r) => r.id)).not.toContain('i-0000000000clone1');
      expect(result.decisions.find((d) => d.subject === 'i-0000000000clone1')?.decision).toBe('bring home');
    });

    it('stops on an untagged instance in a placement subnet, and leaves it in place with prefer', () => {
      const estate = {
        ...NOTHING_ELSE,
        instances: [
          { id: 'i-00000000000debug', imageId: 'ami-0000000000000al2', subnetId: 'subnet-public', tags: {} },
        ],
      };

      const stopped = planFailbackResources({ ...input(), estate });
      const left = planFailbackResources({ ...input(), estate, prefer: 'current' });

      expect(stopped.unknown).toMatchObject([
        {
          kind: 'ec2',
          id: 'i-00000000000debug',
          found: 'in subnet subnet-public (placement of web)',
          outcome: 'conflict',
          reason: expect.stringMatching(/no planned role can be inferred/),
        },
      ]);
      expect(stopped.unknown[0]?.role).toBeUndefined();
      expect(left.unknown).toMatchObject([
        {
          id: 'i-00000000000debug',
          outcome: 'leave in place',
          reason: expect.stringMatching(/prefer current: left in place/),
        },
      ]);
      for (const result of [stopped, left]) {
        expect(result.instances.map((i) => i.recoveryId)).not.toContain('i-00000000000debug');
        expect(result.retire.map((r) => r.id)).not.toContain('i-00000000000debug');
      }
    });

    it('names the tag that would bring home a role-like instance it may not image', () => {
      const result = planFailbackResources({
        ...input(),
        estate: {
          ...NOTHING_ELSE,
          instances: [
            {
              id: 'i-000000000noapp01',
              imageId: 'ami-0000000000recweb',
              subnetId: 'subnet-public',
              tags: { Name: 'web-by-hand' },
            },
          ],
        },
      });
      expect(result.unknown).toMatchObject([
        {
          id: 'i-000000000noapp01',
          role: 'web',
          outcome: 'conflict',
          reason: expect.stringMatching(/tag it pendulum-role=web to bring it home/),
        },
      ]);
      expect(result.instances.map((i) => i.recoveryId)).not.toContain('i-000000000noapp01');
    });

    it('never brings an unknown database home: a conflict with the role its tags name, or left in place with prefer', () => {
      const databases: EstateDatabase[] = [
        { id: 'shop-db-reporting', tags: { [TAG.app]: 'shop', [TAG.role]: 'shop-db' }, subnetIds: [] },
        { id: 'scratch-db', tags: {}, subnetGroup: 'shop-recovery-db', subnetIds: ['subnet-public'] },
        {
          id: 'shop-db-read',
          tags: { [TAG.app]: 'shop' },
          subnetIds: [],
          replicaOf: 'arn:aws:rds:us-west-2:123456789012:db:shop-db-pf-1a2b3c4d',
        },
      ];

      const stopped = planFailbackResources({ ...input(), estate: { ...NOTHING_ELSE, databases } });
      const left = planFailbackResources({
        ...input(),
        prefer: 'failback',
        estate: { ...NOTHING_ELSE, databases },
      });

      expect(stopped.unknown.map((u) => [u.id, u.role ?? null, u.outcome])).toEqual([
        ['shop-db-reporting', 'shop-db', 'conflict'],
        ['scratch-db', null, 'conflict'],
        ['shop-db-read', null, 'leave in place'],
      ]);
      expect(stopped.unknown.find((u) => u.id === 'scratch-db')?.found).toBe(
        'in DB subnet group shop-recovery-db (placement of shop-db)',
      );
      expect(stopped.unknown.find((u) => u.id === 'shop-db-read')?.reason).toMatch(
        /read replica of shop-db-pf-1a2b3c4d/,
      );
      expect(left.unknown.every((u) => u.outcome === 'leave in place')).toBe(true);
      for (const result of [stopped, left]) {
        expect(result.databases.map((d) => d.recoveryId)).toEqual(['shop-db-pf-1a2b3c4d']);
        expect(result.retire.map((r) => r.id)).not.toEqual(expect.arrayContaining(['shop-db-reporting']));
      }
    });

    it("passes over what is Pendulum's or known, and leaves another app's to it", () => {
      const result = planFailbackResources({
        ...input(),
        recoveryInstances: [{ id: 'i-00000000000added1', role: 'web' }],
        estate: {
          ...NOTHING_ELSE,
          instances: [
            {
              id: 'i-0000000000000rec1',
              subnetId: 'subnet-public',
              tags: { [TAG.app]: 'shop', [TAG.role]: 'web' },
            },
            { id: 'i-00000000000added1', subnetId: 'subnet-public', tags: { 'pendulum-role': 'web' } },
            { id: 'i-000000000drill01', tags: { [TAG.app]: 'shop', [TAG.drill]: 'd-1' } },
            { id: 'i-00000000000other', subnetId: 'subnet-private', tags: { [TAG.app]: 'billing' } },
            { id: 'i-0000000elsewhere', subnetId: 'subnet-elsewhere', tags: {} },
          ],
          databases: [{ id: 'shop-db-pf-1a2b3c4d', tags: { [TAG.app]: 'shop' }, subnetIds: [] }],
        },
      });
      expect(result.unknown.map((u) => [u.id, u.outcome])).toEqual([
        ['i-00000000000other', 'leave in place'],
      ]);
      expect(result.unknown[0]?.reason).toMatch(/Pendulum app billing/);
    });
  });
});
