import { describe, expect, it } from 'vitest';
import { estateTagCheck, tagProblems } from '../../cli/rehearsal/tag-checks';

describe('the rehearsal’s tag checks', () => {
  it('pass a copy with every own tag of its original, Pendulum’s and aws: ones aside', () => {
    expect(
      tagProblems(
        {
          Name: 'shop-web',
          CostCenter: 'retail',
          'aws:cloudformation:stack-name': 's',
          'pendulum:app': 'shop',
        },
        { Name: 'shop-web', CostCenter: 'retail', 'pendulum:app': 'shop', 'pendulum:failover': 'fo-1' },
      ),
    ).toEqual([]);
  });

  it('name what a copy lacks, changed or must not carry', () => {
    expect(
      tagProblems({ Name: 'shop-web', CostCenter: 'retail' }, { Name: 'shop-web-i-1', 'aws:x': 'y' }),
    ).toEqual(['Name=shop-web-i-1, not shop-web', 'lacks CostCenter', 'carries aws:x']);
  });

  it('fail when there is nothing to check or a copy is missing', () => {
    expect(estateTagCheck('failover', 'tags', []).ok).toBe(false);
    const missing = estateTagCheck('failover', 'tags', [
      { label: 'shop-db', original: { TagList: [] }, copy: undefined },
    ]);
    expect(missing).toMatchObject({ ok: false, detail: 'shop-db: not found' });
  });
});
