/**
 * The estate's own tags travel with everything Pendulum makes of it: a recovery point carries its
 * source's tags, a recovered instance or database the tags of the point it came from, a home
 * copy those of the recovery copy it replaces. Pure: which tags, in which order, within AWS's
 * limits. Used for instances, volumes, images, DB instances and snapshots (and any resource
 * type with the same limits, e.g. Aurora clusters).
 *
 * AWS's limits, the same for EC2 and RDS: at most 50 user tags per resource, keys of at most 128
 * and values of at most 256 characters, and the `aws:` prefix is reserved: such tags cannot be set
 * (Amazon EC2 User Guide, "Tag restrictions"; Amazon RDS User Guide, "Tagging Amazon RDS
 * resources"). Tags are set by the call that makes the resource, never afterwards.
 *
 * The budget: Pendulum's own tags on any copy are at most PENDULUM_TAGS_RESERVED (a reverse point
 * has 10, a failback's sync snapshot 10, a final snapshot of a recovered database 10), so at most
 * ESTATE_TAGS_MAX of the estate's travel. A source with more keeps being protected: the rest are
 * dropped deterministically at protect time, with a warning naming them, because refusing would
 * leave the source without recovery points, and dropping during an incident would surprise.
 * What is kept first: the keys the plan's tag selectors use (so selectors keep matching
 * wherever the app runs), then `Name`, then the others in key order.
 */
/** User tags one EC2 or RDS resource may carry. */
export const TAGS_PER_RESOURCE_MAX = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
/** Room kept on every copy for Pendulum's own `pendulum:` tags. */
export const PENDULUM_TAGS_RESERVED = 12;
/** The most of a source's own tags that travel with it. */
export const ESTATE_TAGS_MAX = TAGS_PER_RESOURCE_MAX - PENDULUM_TAGS_RESERVED;

const PENDULUM_PREFIX = 'pendulum:';
const AWS_PREFIX = 'aws:';

/** A resource's own tags: neither AWS's reserved `aws:` ones (which cannot be set) nor Pendulum's. */
export function ownTags(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags ?? {}).filter(
      ([key]) => !key.startsWith(PENDULUM_PREFIX) && !key.toLowerCase().startsWith(AWS_PREFIX),
    ),
  );
}

/** Every tag but AWS's reserved ones: what a copy of a Pendulum-made resource is given. */
export function settableTags(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags ?? {}).filter(([key]) => !key.toLowerCase().startsWith(AWS_PREFIX)),
  );
}

export interface TravellingTags {
  /** The tags that travel, at most `max`. */
  readonly tags: Record<string, string>;
  /** Keys left behind (over the budget, or too long to set), in key order. */
  readonly dropped: string[];
}

export interface TravelOptions {
  /** Keys kept before any other, e.g. those of the plan's tag selectors. */
  readonly keep?: readonly string[];
  /** @default ESTATE_TAGS_MAX */
  readonly max?: number;
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A resource's own tags that travel with its copies: at most `max`, the `keep` keys first, then
 * `Name`, then the rest in key order; always the same for the same tags.
 */
export function travellingTags(
  tags: Readonly<Record<string, string>> | undefined,
  options: TravelOptions = {},
): TravellingTags {
  const max = Math.max(0, options.max ?? ESTATE_TAGS_MAX);
  const own = ownTags(tags);
  const settable = (key: string) =>
    key.length > 0 && key.length <= TAG_KEY_MAX && (own[key] ?? '').length <= TAG_VALUE_MAX;
  const keys = Object.keys(own);
  const first = [...(options.keep ?? []), 'Name'].filter((key, i, all) => all.indexOf(key) === i);
  const ordered = [
    ...first.filter((key) => key in own),
    ...keys.filter((key) => !first.includes(key)).sort(byKey),
  ];
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const key of ordered) {
    if (settable(key) && Object.keys(kept).length < max) kept[key] = own[key] as string;
    else dropped.push(key);
  }
  return { tags: kept, dropped: dropped.sort(byKey) };
}

export interface CopyTagOptions {
  /** `Name` when the estate's tags have none. */
  readonly fallbackName?: string;
  readonly keep?: readonly string[];
}

/**
 * The tags of a copy Pendulum makes: the estate's own (trimmed, as `travellingTags`, to what fits
 * beside Pendulum's), `Name` falling back to `fallbackName`, and Pendulum's, which always fit.
 */
export function copyTags(
  estate: Readonly<Record<string, string>> | undefined,
  pendulum: Readonly<Record<string, string>>,
  options: CopyTagOptions = {},
): Record<string, string> {
  const mine = settableTags(pendulum);
  const named = options.fallbackName !== undefined && !('Name' in ownTags(estate));
  const room = TAGS_PER_RESOURCE_MAX - Object.keys(mine).length - (named ? 1 : 0);
  const { tags } = travellingTags(estate, {
    max: Math.min(ESTATE_TAGS_MAX, room),
    ...(options.keep ? { keep: options.keep } : {}),
  });
  return { ...(named ? { Name: options.fallbackName as string } : {}), ...tags, ...mine };
}

/**
 * The `Name` a recovered resource gets when its source has none: it is Pendulum's, not the
 * estate's, so it never travels home over the stale primary's own.
 */
export function pendulumGivenName(app: string, role: string, source: string): string {
  return `${app}-${role}-${source}`;
}

/**
 * What a home copy carries of the estate's tags. The recovery copy is the truth: its tags as they
 * are now (people may have edited them while failed over) win over the stale primary's, which
 * fill in any the copy lacks (a copy recovered before Pendulum carried tags, an instance added
 * during the failover taking a peer's). So nothing the estate carried is lost; a tag removed
 * from the recovery copy but still on the stale primary comes back. A `Name` Pendulum gave the
 * recovery copy (`givenName`, see pendulumGivenName) is not the estate's and yields to the stale
 * primary's.
 */
export function homeTags(
  recoveryCopy: Readonly<Record<string, string>> | undefined,
  stale: Readonly<Record<string, string>> | undefined,
  givenName?: string,
): Record<string, string> {
  const copy = ownTags(recoveryCopy);
  if (givenName !== undefined && copy.Name === givenName) delete copy.Name;
  return { ...ownTags(stale), ...copy };
}
