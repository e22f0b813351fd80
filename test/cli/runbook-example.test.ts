import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRunbook } from '../../cli/runbook/render-runbook';
import { samplePlan } from '../support/sample-plan';

describe('docs/runbook-example.md', () => {
  it('is the runbook the current workflows generate (run `npm run runbook-example` after changing them)', async () => {
    const committed = readFileSync(new URL('../../docs/runbook-example.md', import.meta.url), 'utf8');
    expect(await buildRunbook(samplePlan(), 'examples/pendulum.yaml')).toBe(committed);
  });
});
