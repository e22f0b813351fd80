/**
 * JSON with object keys sorted at every depth, so equal values always give equal text: the basis for
 * comparing record sets and for checksums that must not change when Route 53 reorders fields.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    // An absent field and an undefined one mean the same to Route 53.
    if (field !== undefined) sorted[key] = sortKeys(field);
  }
  return sorted;
}
