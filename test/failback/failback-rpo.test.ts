import { describe, expect, it } from 'vitest';
import { failbackRpo } from '../../lambdas/failback/failback-rpo';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString();

describe("failback's RPO follows the order of events", () => {
  it('is 0 when the freeze held before every sync point', () => {
    const rpo = failbackRpo({
      mode: 'readOnly',
      frozenAt: at(0),
      syncPoints: [{ database: 'shop-db', at: at(1) }],
      dataMovedAt: at(20),
    });
    expect(rpo).toMatchObject({ seconds: 0, orderHeld: true, problems: [] });
  });

  it('is the window from the earliest sync point to the data cutover when a sync came before the freeze', () => {
    const rpo = failbackRpo({
      mode: 'readOnly',
      frozenAt: at(5),
      syncPoints: [
        { database: 'shop-db', at: at(2) },
        { database: 'orders-db', at: at(6) },
      ],
      dataMovedAt: at(20),
    });
    expect(rpo.orderHeld).toBe(false);
    expect(rpo.seconds).toBe(18 * 60);
    expect(rpo.problems).toEqual([expect.stringMatching(/shop-db: synced at .* before the freeze/)]);
  });

  it('without a freeze, every write between the sync and the data cutover is at risk', () => {
    const rpo = failbackRpo({
      mode: 'none',
      syncPoints: [{ database: 'shop-db', at: at(1) }],
      dataMovedAt: at(4),
    });
    expect(rpo).toMatchObject({ orderHeld: false, seconds: 180 });
    expect(rpo.problems[0]).toMatch(/no write freeze/);
  });

  it('cannot tell the window without a sync point', () => {
    const rpo = failbackRpo({
      mode: 'readOnly',
      frozenAt: at(0),
      syncPoints: [{ database: 'shop-db' }],
      dataMovedAt: at(4),
    });
    expect(rpo).toMatchObject({ orderHeld: false, seconds: null });
  });

  it('an estate without databases has nothing at risk', () => {
    expect(failbackRpo({ mode: 'none', syncPoints: [] })).toMatchObject({ seconds: 0, orderHeld: true });
  });
});
