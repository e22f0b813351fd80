import {
  ConflictException,
  CreateScheduleGroupCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { CfnTemplate } from '../../local/resolve-intrinsics';

/**
 * Creates the template's schedule groups in the emulator, as the deploy would: tasks that make
 * schedules at run time put them in the stack's group (deployLocalStack creates only the stateful
 * core). Creating one that exists is fine.
 */
export async function deployScheduleGroups(
  template: CfnTemplate,
  scheduler: SchedulerClient,
): Promise<string[]> {
  const names = Object.values(template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::Scheduler::ScheduleGroup')
    .map((r) => String((r.Properties as { Name?: string } | undefined)?.Name));
  for (const Name of names)
    await scheduler.send(new CreateScheduleGroupCommand({ Name })).catch((error: Error) => {
      if (!(error instanceof ConflictException) && error.name !== 'ConflictException') throw error;
    });
  return names;
}
