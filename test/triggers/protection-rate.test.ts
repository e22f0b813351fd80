import { describe, expect, it } from 'vitest';
import {
  MIN_DEFAULT_PROTECTION_MINUTES,
  protectionIntervalMinutes,
  rateExpression,
} from '../../lambdas/rpo/protection-rate';

describe('protectionIntervalMinutes', () => {
  it.each([
    ['1h', 15],
    ['4h', 60],
    ['1h30m', 22],
    ['2d', 720],
    ['20m', MIN_DEFAULT_PROTECTION_MINUTES],
    ['90s', MIN_DEFAULT_PROTECTION_MINUTES],
  ])('protects a tier with an RPO of %s every %i minutes by default', (rpo, minutes) => {
    expect(protectionIntervalMinutes({ rpo })).toBe(minutes);
  });

  it.each([
    ['10m', 10],
    ['2m', 2],
    ['90s', 2],
    ['30s', 1],
    ['6h', 360],
  ])('honours protectEvery %s as %i whole minutes, below the default floor too', (protectEvery, minutes) => {
    expect(protectionIntervalMinutes({ rpo: '1h', protectEvery })).toBe(minutes);
  });
});

describe('rateExpression', () => {
  it('writes Scheduler rate expressions in minutes', () => {
    expect(rateExpression(1)).toBe('rate(1 minute)');
    expect(rateExpression(15)).toBe('rate(15 minutes)');
  });

  it('refuses anything but a positive whole number of minutes', () => {
    expect(() => rateExpression(0)).toThrow(/minutes/);
    expect(() => rateExpression(2.5)).toThrow(/minutes/);
  });
});
