import { describe, expect, it } from 'vitest';
import { fitPowerLaw } from '../../bench/fit-exponent';

describe('fitting the growth exponent', () => {
  it('recovers a known power law', () => {
    const fit = fitPowerLaw([10, 100, 1000].map((n) => ({ n, value: 3 * n ** 1.5 })));
    expect(fit?.exponent).toBeCloseTo(1.5, 10);
    expect(fit?.coefficient).toBeCloseTo(3, 8);
    expect(fit?.r2).toBeCloseTo(1, 10);
    expect(fit?.points).toBe(3);
  });

  it('a constant cost has exponent 0, linear growth exponent 1', () => {
    expect(fitPowerLaw([10, 100, 1000].map((n) => ({ n, value: 7 })))?.exponent).toBeCloseTo(0, 10);
    expect(fitPowerLaw([10, 100, 1000].map((n) => ({ n, value: 0.02 * n })))?.exponent).toBeCloseTo(1, 10);
  });

  it('is the least-squares slope in log-log space for noisy data', () => {
    // log10 x = 1, 2, 3; log10 y = 0, 1.5, 2 → slope = Σdx·dy / Σdx² = (−1·−7/6 + 1·5/6) / 2 = 1
    const fit = fitPowerLaw([
      { n: 10, value: 1 },
      { n: 100, value: 10 ** 1.5 },
      { n: 1000, value: 100 },
    ]);
    expect(fit?.exponent).toBeCloseTo(1, 10);
    expect(fit?.r2).toBeLessThan(1);
  });

  it('needs two usable points at different N', () => {
    expect(fitPowerLaw([])).toBeUndefined();
    expect(fitPowerLaw([{ n: 10, value: 1 }])).toBeUndefined();
    expect(
      fitPowerLaw([
        { n: 10, value: 1 },
        { n: 10, value: 2 },
      ]),
    ).toBeUndefined();
    expect(
      fitPowerLaw([
        { n: 10, value: 1 },
        { n: 100, value: 0 },
      ]),
    ).toBeUndefined();
  });
});
