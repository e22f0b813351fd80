/**
 * (d) The hosted zones the plan manages: a zone named by id must exist with the name and privacy
 * the plan gives it (Route 53 GetHostedZone); one named by name must be the only zone of that
 * name and privacy (found as failover finds it, hosted-zone.ts).
 */
import { GetHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { normaliseDnsName } from '../dns/dns-name';
import type { Plan } from '../plan/plan-schema';
import { bareZoneId, resolveZone } from '../route53/hosted-zone';
import { InvalidInputError } from '../runtime/task-errors';
import { type PreflightProblem, problem } from './preflight-problem';

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';

export async function checkZones(route53: Route53Client, plan: Plan): Promise<PreflightProblem[]> {
  const found = await Promise.all(
    plan.dns.zones.map(async (zone, z): Promise<PreflightProblem[]> => {
      const privacy = zone.private ? 'private' : 'public';
      if (!zone.id) {
        try {
          await resolveZone(route53, zone);
          return [];
        } catch (error) {
          if (!(error instanceof InvalidInputError)) throw error;
          return [
            problem(
              'zones',
              ['dns', 'zones', z, 'name'],
              `${error.message.split(';')[0]}; expected exactly one ${privacy} hosted zone of that name`,
              `create the zone, set private: ${!zone.private} if it is ${zone.private ? 'public' : 'private'}, or add the id of the zone to manage`,
            ),
          ];
        }
      }
      try {
        const { HostedZone } = await route53.send(new GetHostedZoneCommand({ Id: bareZoneId(zone.id) }));
        const problems: PreflightProblem[] = [];
        if (normaliseDnsName(HostedZone?.Name ?? '') !== normaliseDnsName(zone.name))
          problems.push(
            problem(
              'zones',
              ['dns', 'zones', z, 'name'],
              `hosted zone ${zone.id} is ${normaliseDnsName(HostedZone?.Name ?? '')}, not ${normaliseDnsName(zone.name)}`,
              'correct the name or the id',
            ),
          );
        if ((HostedZone?.Config?.PrivateZone ?? false) !== zone.private)
          problems.push(
            problem(
              'zones',
              ['dns', 'zones', z, 'private'],
              `hosted zone ${zone.id} is ${zone.private ? 'public' : 'private'}; expected a ${privacy} zone`,
              `set private: ${!zone.private}, or name the ${privacy} zone's id`,
            ),
          );
        return problems;
      } catch (error) {
        if (errorName(error) !== 'NoSuchHostedZone') throw error;
        return [
          problem(
            'zones',
            ['dns', 'zones', z, 'id'],
            `no hosted zone ${zone.id}; expected the ${privacy} zone ${normaliseDnsName(zone.name)}`,
            'correct the id (aws route53 list-hosted-zones-by-name), or leave it out to find the zone by name',
          ),
        ];
      }
    }),
  );
  return found.flat();
}
