/**
 * Which instances a role's tag selector may take as the app's sources. Pendulum's copies carry
 * the estate's tags, the selector's among them, so that the plan's selectors keep matching in
 * whichever region the app runs; a selector alone therefore no longer tells a source from a copy.
 * Pendulum's own tags do: every copy it makes carries `pendulum:app` and the episode that made it
 * (`pendulum:failover`, `pendulum:failback` or `pendulum:drill`), and no source ever does.
 */
import type { Plan } from '../plan/plan-schema';
import { TAG } from './recovery-point';

export interface SelectableWhere {
  readonly app: string;
  /**
   * `primary`: the app runs in its primary region (forward protection): home copies made by a
   * failback are production there. `recovery`: the app runs failed over (reverse protection).
   */
  readonly where: 'primary' | 'recovery';
  /** `recovery`: the failover whose copies are production (clones of them included). */
  readonly failoverId?: string;
}

export function isSelectableSource(tags: Readonly<Record<string, string>>, at: SelectableWhere): boolean {
  const app = tags[TAG.app];
  // Another app's copy carries its source's tags: it is that app's.
  if (app !== undefined && app !== at.app) return false;
  // A drill's copies are torn down after it: never production.
  if (tags[TAG.drill] !== undefined) return false;
  // A failover's copies run in the recovery region: never a primary source.
  if (at.where === 'primary') return tags[TAG.failover] === undefined;
  // A failback's copies belong in the primary region; an earlier failover's are not this one's.
  if (tags[TAG.failback] !== undefined) return false;
  const episode = tags[TAG.failover];
  return episode === undefined || (at.failoverId !== undefined && episode === at.failoverId);
}

/** Each tag-selected role's selector, by role. */
export function roleSelectors(plan: Plan): Map<string, { key: string; value: string }> {
  const selectors = new Map<string, { key: string; value: string }>();
  for (const tier of plan.tiers)
    for (const resource of tier.resources)
      if ('ec2' in resource && resource.ec2.tag) selectors.set(resource.ec2.role, resource.ec2.tag);
  return selectors;
}
