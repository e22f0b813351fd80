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
  /**
   * `drill`: recover into the recovery region under drill tags, point only drill names at it,
   * measure RTO/RPO, and always tear it all down. Production is never touched.
   */
  mode: z.enum(['failover', 'drill']).default('failover'),
  /** Set by the alarm rule: which alarm started the run, so the gates can check it again. */
  trigger: z
    .strictObject({
      type: z.literal('alarm'),
      alarmName: z.string().min(1),
      alarmArn: z.string().optional(),
      reason: z.string().optional(),
      time: z.string().optional(),
    })
    .optional(),
});

export type FailoverInput = z.infer<typeof failoverInputSchema>;
