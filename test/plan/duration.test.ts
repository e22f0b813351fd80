import { describe, expect, it } from 'vitest';
import { durationSeconds, formatDuration } from '../../lambdas/plan/duration';

describe('durations', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['1h', 3600],
    ['1h30m', 5400],
    ['2d', 172800],
  ])('%s is %i seconds', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each(['', '1', 'h', '1 h', '1.5h', '-1h', '1w'])('rejects %j', (text) => {
    expect(() => durationSeconds(text)).toThrow(/not a duration/);
  });

  it('formats seconds back in the shortest form', () => {
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(90061)).toBe('1d1h1m1s');
  });
});
