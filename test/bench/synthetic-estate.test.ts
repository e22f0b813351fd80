import { describe, expect, it } from 'vitest';
import { packUpserts } from '../../bench/floor-common';
import {
  estateShape,
  managedRecords,
  type SyntheticEstate,
  seedBatches,
  syntheticPlan,
} from '../../bench/synthetic-estate';

const fakeEstate = (n: number): SyntheticEstate => {
  const shape = estateShape(n);
  const network = {
    vpcId: 'vpc-1',
    dbSubnetGroup: 'g',
    subnets: { web: 'subnet-1', api: 'subnet-2' },
    securityGroups: { web: 'sg-1', api: 'sg-2' },
  };
  return {
    app: 'bench',
    shape,
    primaryRegion: 'us-east-1',
    recoveryRegion: 'us-west-2',
    zoneId: 'Z1',
    zoneName: 'bench.example.com',
    instances: { web: [], api: [] },
    databases: Array.from(
      { length: shape.databases },
      (_, i) => `bench-db-${String(i + 1).padStart(4, '0')}`,
    ),
    primaryNetwork: network,
    recoveryNetwork: network,
  };
};

describe('the synthetic estate', () => {
  it('has N instances in two roles, N/10 databases (at least one) and 2N records, half managed', () => {
    expect(estateShape(10)).toEqual({
      instances: 10,
      roles: { web: 5, api: 5 },
      databases: 1,
      managedRecords: 10,
      unmanagedRecords: 10,
    });
    expect(estateShape(1000)).toMatchObject({
      roles: { web: 500, api: 500 },
      databases: 100,
      managedRecords: 1000,
    });
    expect(estateShape(15)).toMatchObject({ roles: { web: 8, api: 7 }, databases: 1 });
    expect(() => estateShape(1)).toThrow(/at least 2/);
  });

  it('manages one A per role, one CNAME per database and fixed CNAMEs up to N', () => {
    const records = managedRecords('bench', 'bench.example.com', estateShape(100));
    expect(records).toHaveLength(100);
    expect(records.filter((r) => 'role' in r.target).map((r) => r.name)).toEqual([
      'web.bench.example.com',
      'api.bench.example.com',
    ]);
    expect(records.filter((r) => 'database' in r.target)).toHaveLength(10);
    expect(records.filter((r) => 'values' in r.target)).toHaveLength(88);
  });

  it('generates a plan that validates, with the data tier before the app tier', () => {
    const plan = syntheticPlan(fakeEstate(1000), { healthUrl: 'http://127.0.0.1:1/h?region={region}' });
    expect(plan.tiers.map((t) => [t.name, t.resources.length])).toEqual([
      ['data', 100],
      ['app', 2],
    ]);
    expect(plan.dns.zones[0]?.records).toHaveLength(1000);
    expect(plan.healthChecks[0]?.url).toBe('http://127.0.0.1:1/h?region={region}');
  });

  it('seeds in batches of at most 1,000 changes and 1,000 values', () => {
    const change = (values: number) => ({
      Action: 'CREATE' as const,
      ResourceRecordSet: {
        Name: 'x',
        Type: 'A' as const,
        ResourceRecords: Array.from({ length: values }, () => ({ Value: '1' })),
      },
    });
    expect(seedBatches(Array.from({ length: 2500 }, () => change(1))).map((b) => b.length)).toEqual([
      1000, 1000, 500,
    ]);
    expect(seedBatches([change(500), change(600), change(1)]).map((b) => b.length)).toEqual([1, 2]);
  });

  it("the floor packs UPSERTs into as few batches as Route 53's limits allow (values count twice)", () => {
    const record = (values: number) => ({
      Name: 'a.example.com.',
      Type: 'A' as const,
      TTL: 60,
      ResourceRecords: Array.from({ length: values }, () => ({ Value: '10.0.0.1' })),
    });
    expect(packUpserts([record(1), record(1), record(1)])).toHaveLength(1);
    expect(packUpserts([record(500), record(500)])).toHaveLength(2);
    expect(packUpserts(Array.from({ length: 1000 }, () => record(1)))).toHaveLength(2);
  });
});
