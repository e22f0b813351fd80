/**
 * After each leg, what runs carries the estate's own tags: every tag of the resource it stands in
 * for (its `Name` included), and none of AWS's reserved `aws:` ones, which cannot be set.
 */
import { ownTags } from '../../lambdas/recovery-points/estate-tags';
import type { Check, CheckPhase } from './rehearsal-checks';

type Tagged = {
  readonly Tags?: { Key?: string; Value?: string }[];
  readonly TagList?: { Key?: string; Value?: string }[];
};

const tagsOf = (resource: Tagged | undefined): Record<string, string> =>
  Object.fromEntries((resource?.Tags ?? resource?.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

export interface TaggedCopy {
  /** What the copy is, e.g. `i-0abc (copy of i-0def)`. */
  readonly label: string;
  readonly original: Tagged | undefined;
  readonly copy: Tagged | undefined;
}

/** The copy's problems: own tags of the original it lacks or changed, and any `aws:` tag. */
export function tagProblems(original: Record<string, string>, copy: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(ownTags(original)))
    if (copy[key] === undefined) problems.push(`lacks ${key}`);
    else if (copy[key] !== value) problems.push(`${key}=${copy[key]}, not ${value}`);
  for (const key of Object.keys(copy))
    if (key.toLowerCase().startsWith('aws:')) problems.push(`carries ${key}`);
  return problems;
}

/** One check for a kind of resource: every copy carries its original's own tags. */
export function estateTagCheck(phase: CheckPhase, name: string, copies: readonly TaggedCopy[]): Check {
  const wrong = copies.flatMap(({ label, original, copy }) => {
    if (!copy) return [`${label}: not found`];
    const problems = tagProblems(tagsOf(original), tagsOf(copy));
    return problems.length > 0 ? [`${label}: ${problems.join(', ')}`] : [];
  });
  const tagCount = copies.reduce((n, c) => n + Object.keys(ownTags(tagsOf(c.original))).length, 0);
  return {
    phase,
    name,
    ok: copies.length > 0 && wrong.length === 0,
    ...(wrong.length > 0
      ? { detail: wrong.slice(0, 5).join('; ') }
      : { detail: `${copies.length} checked, ${tagCount} tags` }),
  };
}
