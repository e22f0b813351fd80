import { z } from 'zod';
import { planSchema } from './plan-schema';

/** The plan's JSON Schema for editors (yaml-language-server), generated from the zod schema. */
export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(planSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://github.com/pendulum-dr/pendulum/schema/pendulum-plan.schema.json',
    title: 'Pendulum protection plan',
    description: 'What Pendulum protects, where it fails over to, and how it fails back.',
  };
}
