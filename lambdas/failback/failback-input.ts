/**
 * What a failback execution may be started with; all optional, so `{}` fails back as the plan says.
 */
import { z } from 'zod';
import { scheduledWindowSchema } from '../rpo/failback-window';

export const failbackInputSchema = z.strictObject({
  strategy: z.enum(['cutover', 'staged']).optional(),
  /** Percent of traffic to the primary at each staged step; increasing, ending at 100. */
  steps: z
    .array(z.number().int().min(1).max(100))
    .min(1)
    .refine((s) => s.every((w, i) => i === 0 || w > (s[i - 1] ?? 0)) && s[s.length - 1] === 100, {
      message: 'expected increasing weights ending at 100, e.g. [10, 50, 100]',
    })
    .optional(),
  /** End of the failback window: refuse to start if the estimated work would overrun it. */
  windowEnd: z.iso.datetime({ offset: true }).optional(),
  /** Fail back to another region than the original primary. */
  targetRegion: z
    .string()
    .regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d$/, 'expected an AWS region such as us-east-1')
    .optional(),
  prefer: z.enum(['failback', 'current']).optional(),
  dryRun: z.boolean().default(false),
  reason: z.string().max(1024).optional(),
  /**
   * Set by a failback window's schedule: when the window opened and how long it lasts. Such a run
   * ends cleanly, changing nothing, when the app is not failed over, approval is missing, or the
   * work does not fit.
   */
  window: scheduledWindowSchema.optional(),
});

export type FailbackInput = z.infer<typeof failbackInputSchema>;
