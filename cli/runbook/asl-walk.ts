/**
 * Every state of a state machine definition once, in execution order: from StartAt, each state
 * is followed by the states nested in it (Parallel branches, Map item processors), then by its
 * successors: Next, the Choices in order, Default, and last the Catch targets (the error paths).
 * A choice's short branches (a loop back or a quick end, at most SHORT_BRANCH new states) are
 * listed before its long ones, so they stay next to the decision that takes them.
 */
export type AslState = Record<string, unknown> & { Type?: string; Comment?: string };

export interface AslDefinitionLike {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

export interface WalkedState {
  readonly name: string;
  readonly state: AslState;
  /** How many Map or Parallel states contain it. */
  readonly depth: number;
  /** The Map or Parallel state it runs inside, if any. */
  readonly parent?: string;
}

const SHORT_BRANCH = 3;

function nestedDefinitions(state: AslState): AslDefinitionLike[] {
  if (state.Type === 'Parallel' && Array.isArray(state.Branches))
    return state.Branches as AslDefinitionLike[];
  if (state.Type === 'Map') {
    const processor = (state.ItemProcessor ?? state.Iterator) as AslDefinitionLike | undefined;
    return processor ? [processor] : [];
  }
  return [];
}

/** Next, the Choices in order and Default: where a state goes when nothing fails. */
function flowSuccessors(state: AslState): string[] {
  const next: string[] = [];
  if (typeof state.Next === 'string') next.push(state.Next);
  if (Array.isArray(state.Choices))
    for (const choice of state.Choices as { Next?: unknown }[])
      if (typeof choice.Next === 'string') next.push(choice.Next);
  if (typeof state.Default === 'string') next.push(state.Default);
  return next;
}

function catchTargets(state: AslState): string[] {
  if (!Array.isArray(state.Catch)) return [];
  return (state.Catch as { Next?: unknown }[]).flatMap((c) => (typeof c.Next === 'string' ? [c.Next] : []));
}

/** How many states not seen yet can be reached from `start` without failing (counting stops past `limit`). */
function newStatesFrom(
  def: AslDefinitionLike,
  start: string,
  seen: ReadonlySet<string>,
  limit: number,
): number {
  const found = new Set<string>();
  const queue = [start];
  while (queue.length > 0 && found.size <= limit) {
    const name = queue.shift() as string;
    const state = def.States[name];
    if (!state || seen.has(name) || found.has(name)) continue;
    found.add(name);
    queue.push(...flowSuccessors(state));
  }
  return found.size;
}

export function walkStates(definition: AslDefinitionLike): WalkedState[] {
  const walked: WalkedState[] = [];
  const seen = new Set<string>();
  const walk = (def: AslDefinitionLike, depth: number, parent?: string) => {
    const visit = (name: string) => {
      if (seen.has(name)) return;
      const state = def.States[name];
      if (!state) return;
      seen.add(name);
      walked.push({ name, state, depth, ...(parent ? { parent } : {}) });
      for (const nested of nestedDefinitions(state)) walk(nested, depth + 1, name);
      let flow = flowSuccessors(state);
      if (state.Type === 'Choice') {
        const short = flow.filter((next) => newStatesFrom(def, next, seen, SHORT_BRANCH) <= SHORT_BRANCH);
        flow = [...short, ...flow.filter((next) => !short.includes(next))];
      }
      for (const next of [...flow, ...catchTargets(state)]) visit(next);
    };
    visit(def.StartAt);
    // States nothing leads to (there should be none) are still listed.
    for (const name of Object.keys(def.States)) visit(name);
  };
  walk(definition, 0);
  return walked;
}
