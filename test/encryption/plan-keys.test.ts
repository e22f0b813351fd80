import { describe, expect, it } from 'vitest';
import { keyIn, multiRegionPartner, planKeyFor, planKeysIn } from '../../lambdas/encryption/plan-keys';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import { formatPlanPath } from '../../lambdas/plan/plan-references';
import type { Plan, PlanInput } from '../../lambdas/plan/plan-schema';

const EAST_MRK = 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234567890abcdef1234567890abcdef';
const WEST_KEY = 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function planWith(encryption: PlanInput['encryption'], dbKeys?: Record<string, string>): PlanInput {
  return {
    app: 'shop',
    primaryRegion: 'us-east-1',
    recoveryRegion: 'us-west-2',
    tiers: [
      {
        name: 'data',
        rpo: '1h',
        rto: '30m',
        resources: [{ rds: { identifier: 'shop-db', ...(dbKeys ? { kmsKeys: dbKeys } : {}) } }],
      },
    ],
    ...(encryption ? { encryption } : {}),
  };
}

const parsed = (input: PlanInput): Plan => {
  const result = parsePlanObject(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.plan;
};
const problems = (input: PlanInput) => {
  const result = parsePlanObject(input);
  return result.ok ? [] : result.problems.map((p) => `${formatPlanPath(p.path)}: ${p.message}`);
};

describe('the keys a plan names', () => {
  it('a resource key wins over the plan key, region by region', () => {
    const plan = parsed(planWith({ kmsKeys: { 'us-west-2': WEST_KEY } }, { 'us-west-2': 'alias/shop-db' }));
    const db = plan.tiers[0]?.resources[0];
    expect(planKeyFor(plan, db, 'us-west-2')).toBe('alias/shop-db');
    expect(planKeyFor(plan, undefined, 'us-west-2')).toBe(WEST_KEY);
    expect(planKeyFor(plan, db, 'us-east-1')).toBeUndefined();
    expect(planKeysIn(plan, 'us-west-2')).toEqual(['alias/shop-db', WEST_KEY]);
    // By kind: a database's own key is not one EBS may use.
    expect(planKeysIn(plan, 'us-west-2', 'rds')).toEqual(['alias/shop-db', WEST_KEY]);
    expect(planKeysIn(plan, 'us-west-2', 'ebs')).toEqual([WEST_KEY]);
  });

  it('a multi-Region key named for one region is its replica of the same id in the other', () => {
    expect(multiRegionPartner(EAST_MRK, 'us-west-2')).toBe(
      'arn:aws:kms:us-west-2:123456789012:key/mrk-1234567890abcdef1234567890abcdef',
    );
    expect(multiRegionPartner(WEST_KEY, 'us-east-1')).toBeUndefined();
    expect(keyIn({ 'us-east-1': EAST_MRK }, 'us-west-2')).toMatch(/us-west-2:.*mrk-/);
    // A key named for the region itself wins over the partner.
    expect(keyIn({ 'us-east-1': EAST_MRK, 'us-west-2': WEST_KEY }, 'us-west-2')).toBe(WEST_KEY);
  });

  it('refuses AWS managed aliases, keys of another region and regions the plan does not use, with paths', () => {
    expect(problems(planWith({ kmsKeys: { 'us-west-2': 'alias/aws/rds' } }))).toEqual([
      expect.stringMatching(/^encryption\.kmsKeys\.us-west-2: expected a customer managed key/),
    ]);
    expect(problems(planWith({ kmsKeys: { 'us-west-2': EAST_MRK } }))).toEqual([
      'encryption.kmsKeys.us-west-2: expected a key in us-west-2; ' +
        `${EAST_MRK} is in us-east-1 (KMS keys are regional)`,
    ]);
    expect(problems(planWith(undefined, { 'eu-west-1': 'alias/x' }))).toEqual([
      'tiers[0].resources[0].rds.kmsKeys.eu-west-1: expected a key for us-east-1 or us-west-2: the plan works in no other region',
    ]);
    expect(problems(planWith({ kmsKeys: { 'us-west-2': 'not-a-key' } }))).toEqual([
      expect.stringMatching(/expected a KMS key ARN, an alias ARN or alias\/<name>/),
    ]);
  });
});
