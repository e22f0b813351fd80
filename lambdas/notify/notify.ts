/**
 * Plain-text notices to the plan's topic: what happened, to which app, and what to do next.
 * No links (they would point at a console that may be in the failed region) and no markup.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { logger } from '../runtime/observability';

export interface Notice {
  readonly subject: string;
  readonly lines: readonly string[];
}

/** Publishes if a topic is configured; a notification failure is logged, never fatal to the run. */
export async function notify(sns: SNSClient, topicArn: string | undefined, notice: Notice): Promise<boolean> {
  if (!topicArn) return false;
  try {
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: notice.subject.slice(0, 99),
        Message: notice.lines.join('\n'),
      }),
    );
    return true;
  } catch (error) {
    logger.warn('notification failed', { error: (error as Error).message, subject: notice.subject });
    return false;
  }
}

/** ` (2 warnings)` for a subject, or nothing. */
export function withWarnings(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  return ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})`;
}

/** One `Warning: …` line each, for a run that succeeded with something to look at. */
export function warningLines(warnings: readonly string[]): string[] {
  return warnings.map((warning) => `Warning: ${warning}`);
}
