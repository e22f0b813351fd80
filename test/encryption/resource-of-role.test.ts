import { describe, expect, it } from 'vitest';
import { planResourceOf } from '../../lambdas/encryption/resource-of-role';
import { samplePlanWith } from '../support/sample-plan';

describe('planResourceOf', () => {
  const plan = samplePlanWith((p) => {
    p.tiers?.[0]?.resources?.push({ rds: { identifier: 'shop-reports', role: 'reports' } });
  });

  it('finds the resource of a role in any tier, or in the tier named', () => {
    expect(planResourceOf(plan, 'web')).toMatchObject({ ec2: { role: 'web' } });
    expect(planResourceOf(plan, 'web', 'app')).toMatchObject({ ec2: { role: 'web' } });
    expect(planResourceOf(plan, 'web', 'data')).toBeUndefined();
  });

  it('finds a database by its role, or by its identifier', () => {
    expect(planResourceOf(plan, 'reports')).toMatchObject({ rds: { identifier: 'shop-reports' } });
    expect(planResourceOf(plan, 'shop-reports')).toMatchObject({ rds: { identifier: 'shop-reports' } });
    expect(planResourceOf(plan, 'shop-db')).toMatchObject({ rds: { identifier: 'shop-db' } });
  });

  it('finds nothing for no role or an unknown one', () => {
    expect(planResourceOf(plan, undefined)).toBeUndefined();
    expect(planResourceOf(plan, 'batch')).toBeUndefined();
  });
});
