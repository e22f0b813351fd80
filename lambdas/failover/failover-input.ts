/**
 * What a failover execution may be started with. Every field is optional, so a console start
 * with `{}` fails over to the latest recovery points; unknown fields are refused by name.
 */
import { z } from 'zod';

export const failoverInputSchema = z.strictObject({
  /** `latest`, or an ISO-8601 time: use the newest recovery point at or before it. */
  recoveryPoint: z
    .union([z.literal('latest'), z.iso.datetime({ offset: true })], {
      error: () => 'expected "latest" or an ISO-8601 time such as 2026-11-27T18:00:00Z',
    })
    .default('latest'),
  reason: z.string().max(1024).optional(),
  /** Accept recovery points older than the tier's RPO. */
  force: z.boolean().default(false),
  /** Work out and return the exact change set; write nothing. */
  dryRun: z.boolean().default(false),
});

export type FailoverInput = z.infer<typeof failoverInputSchema>;
