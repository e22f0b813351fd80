// Regenerates schema/pendulum-plan.schema.json from the zod schema: `npm run schema`.
import { writeFileSync } from 'node:fs';
import { planJsonSchema } from '../lambdas/plan/plan-json-schema';

writeFileSync(
  new URL('../schema/pendulum-plan.schema.json', import.meta.url),
  `${JSON.stringify(planJsonSchema(), null, 2)}\n`,
);
