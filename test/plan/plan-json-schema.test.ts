import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planJsonSchema } from '../../lambdas/plan/plan-json-schema';

describe('the published JSON Schema', () => {
  it('matches the zod schema (run `npm run schema` after changing the plan)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../schema/pendulum-plan.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(planJsonSchema());
  });

  it('describes the required top-level fields', () => {
    const schema = planJsonSchema() as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(
      expect.arrayContaining(['app', 'primaryRegion', 'recoveryRegion', 'tiers']),
    );
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['dns', 'hooks', 'failback', 'triggers']),
    );
  });
});
