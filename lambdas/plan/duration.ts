/**
 * Durations in the plan are written the way operators say them: `90s`, `30m`, `1h`, `1h30m`, `2d`.
 * They are stored as strings in the plan and converted to seconds where arithmetic needs them.
 */
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

export const DURATION_PATTERN = /^(?:\d+[smhd])+$/;

/** Seconds in a duration such as `1h30m`; throws on anything that is not one. */
export function durationSeconds(text: string): number {
  if (!DURATION_PATTERN.test(text)) {
    throw new Error(`not a duration: ${JSON.stringify(text)} (expected e.g. 90s, 30m, 1h, 1h30m, 2d)`);
  }
  let total = 0;
  for (const match of text.matchAll(/(\d+)([smhd])/g)) {
    total += Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  }
  return total;
}

/** The shortest readable form of a number of seconds, e.g. 5400 → `1h30m`. */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0s';
  let text = '';
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
