/**
 * Turns the text of a plan file into a checked Plan, or into every problem it has, each with its
 * path and, where the YAML tells us, its line and column. Never throws for bad input.
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkPlanReferences, type PlanPath, type PlanProblem } from './plan-references';
import { type Plan, planSchema } from './plan-schema';

export type PlanResult =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly problems: PlanProblem[] };

export class InvalidPlanError extends Error {
  override readonly name = 'InvalidPlanError';
  constructor(readonly problems: PlanProblem[]) {
    super(`the plan has ${problems.length} problem(s)`);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unexpected field(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return `required: expected ${issue.expected}`;
  return issue.message;
}

type Segment = string | number;

/**
 * A union ("exactly one of ec2, rds or aurora") fails as a whole; when the input clearly chose one
 * branch (its key is there), the useful problems are that branch's, e.g. `...ec2.tag.value: required`.
 */
function explainIssue(issue: z.core.$ZodIssue, prefix: Segment[]): PlanProblem[] {
  const path = [...prefix, ...issue.path.filter((p): p is Segment => typeof p !== 'symbol')];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const chosen = issue.errors.filter((branch) => !branch.some((i) => isWrongBranch(i)));
    if (chosen.length === 1 && chosen[0]) return chosen[0].flatMap((inner) => explainIssue(inner, path));
  }
  return [{ path, message: describeIssue(issue) }];
}

/** An issue that says the input is not this branch at all: its key is missing or foreign. */
function isWrongBranch(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) return true;
  return issue.code === 'invalid_type' && issue.input === undefined && issue.path.length === 1;
}

/** Parses an already-loaded object (e.g. JSON embedded at synth time). */
export function parsePlanObject(value: unknown): PlanResult {
  if (value === null || value === undefined) {
    return {
      ok: false,
      problems: [
        {
          path: [],
          message: 'the plan is empty; expected at least app, primaryRegion, recoveryRegion and tiers',
        },
      ],
    };
  }
  const parsed = planSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => explainIssue(issue, []));
    return { ok: false, problems };
  }
  const references = checkPlanReferences(parsed.data);
  return references.length === 0 ? { ok: true, plan: parsed.data } : { ok: false, problems: references };
}

/** Parses YAML (or JSON) text. */
export function parsePlanText(text: string): PlanResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const at = lineCounter.linePos(error.pos[0]);
        return {
          path: [],
          message: `YAML syntax error: ${error.message.split('\n')[0]}`,
          line: at.line,
          column: at.col,
        };
      }),
    };
  }
  if (text.trim() === '' || doc.contents === null) {
    return {
      ok: false,
      problems: [
        {
          path: [],
          message: 'the plan file is empty; expected at least app, primaryRegion, recoveryRegion and tiers',
        },
      ],
    };
  }
  const result = parsePlanObject(doc.toJS());
  if (result.ok) return result;
  return {
    ok: false,
    problems: result.problems.map((problem) => ({ ...problem, ...locate(doc, lineCounter, problem.path) })),
  };
}

/** Line and column of the deepest node of the path that exists in the document. */
function locate(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter, path: PlanPath) {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const at = lineCounter.linePos(node.range[0]);
      return { line: at.line, column: at.col };
    }
  }
  return {};
}

/** For callers that want an exception, e.g. the CDK app at synth time. */
export function planOrThrow(result: PlanResult): Plan {
  if (!result.ok) throw new InvalidPlanError(result.problems);
  return result.plan;
}
