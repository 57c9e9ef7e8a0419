// Validation of a campaign before it is published (and of every campaign the table accepts):
// the shape of RULES.md section 4 plus the business rules that make a campaign evaluable.
// Campaign files may write startsAt/endsAt as RFC 3339 strings; the result always carries
// epoch millis and all four params fields (those of other types null), as on the wire.
import { z } from 'zod';
import type { Campaign, CampaignParams, CampaignType, Program } from '../../avro/records.ts';
import { ValidationError } from '../../engine/errors.ts';
import { parseRfc3339 } from '../../avro/json.ts';

const CHANNELS = ['IN_STORE', 'DRIVE_THRU', 'KIOSK', 'WEB', 'APP', 'DELIVERY'] as const;
const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
const TYPES = ['MULTIPLIER', 'SPEND_THRESHOLD', 'NTH_VISIT', 'FIRST_ORDER'] as const;
/** The params each type needs; any other param must be absent or null. */
const PARAMS_OF: Record<CampaignType, (keyof CampaignParams)[]> = {
  MULTIPLIER: ['extraMultiplierBp', 'categories'],
  SPEND_THRESHOLD: ['bonusPoints'],
  NTH_VISIT: ['every', 'bonusPoints'],
  FIRST_ORDER: ['bonusPoints'],
};
/** Ids go in Kafka keys, metric labels and the control-group hash input `id:member`. */
const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** An extra multiplier of 100× is already a pricing error, not a promotion. */
const MAX_EXTRA_MULTIPLIER_BP = 1_000_000;

const INT_MAX = 2 ** 31 - 1; // Avro int fields of the Campaign record
const count = z.int().min(0);
const positive = z.int().min(1);
const positiveInt = positive.max(INT_MAX);
/** An empty list would match nothing: a campaign that can never award is refused, null means any. */
const nonEmptyNames = z.array(z.string().min(1)).min(1).nullable();
const instant = z.union([z.int().min(0), z.string()]);

const campaignShape = z.strictObject({
  campaignId: z.string().regex(CAMPAIGN_ID, { error: 'an id of letters, digits, ".", "_" or "-" (at most 64, not starting with a sign)' }),
  version: positiveInt,
  type: z.enum(TYPES),
  startsAt: instant,
  endsAt: instant,
  channels: z.array(z.enum(CHANNELS)).min(1).nullable(),
  stores: nonEmptyNames,
  tiers: nonEmptyNames,
  daypart: z.strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1),
    startMinute: count.max(1439),
    endMinute: positive.max(1440),
  }).nullable(),
  minEligibleCents: count,
  controlGroupBp: count.max(10_000),
  maxAwardsPerMember: positiveInt.nullable(),
  exclusiveGroup: z.string().min(1).nullable(),
  params: z.strictObject({
    extraMultiplierBp: positive.max(MAX_EXTRA_MULTIPLIER_BP).nullable().optional(),
    categories: nonEmptyNames.optional(),
    bonusPoints: positive.nullable().optional(),
    every: positiveInt.nullable().optional(),
  }),
});

export interface ValidateOptions {
  /** When given, tier filters must name tiers of this program. */
  program?: Program;
}

/** Validates a campaign (file JSON or decoded wire record); throws ValidationError naming the field. */
export function validateCampaign(obj: unknown, options: ValidateOptions = {}): Campaign {
  const parsed = campaignShape.safeParse(obj);
  if (!parsed.success) throw toValidationError(parsed.error.issues);
  const c = parsed.data;

  const startsAt = toMillis('startsAt', c.startsAt);
  const endsAt = toMillis('endsAt', c.endsAt);
  if (endsAt <= startsAt) throw new ValidationError('endsAt', 'a time after startsAt');
  if (c.daypart !== null && c.daypart.endMinute <= c.daypart.startMinute) {
    throw new ValidationError('daypart.endMinute', 'a minute after startMinute (a daypart never wraps past midnight)');
  }
  if (c.daypart !== null) rejectDuplicates('daypart.days', c.daypart.days);
  if (c.channels !== null) rejectDuplicates('channels', c.channels);
  if (c.tiers !== null && options.program !== undefined) {
    const known = options.program.tiers.map((t) => t.name);
    c.tiers.forEach((tier, i) => {
      if (!known.includes(tier)) throw new ValidationError(`tiers[${i}]`, `a tier of program ${options.program?.programId} (${known.join(', ')})`);
    });
  }

  const params: CampaignParams = {
    extraMultiplierBp: c.params.extraMultiplierBp ?? null,
    categories: c.params.categories ?? null,
    bonusPoints: c.params.bonusPoints ?? null,
    every: c.params.every ?? null,
  };
  const needed = PARAMS_OF[c.type];
  for (const name of Object.keys(params) as (keyof CampaignParams)[]) {
    // MULTIPLIER categories may be null (any category); every other needed param must be set.
    if (needed.includes(name) && params[name] === null && name !== 'categories') {
      throw new ValidationError(`params.${name}`, `a value (required by type ${c.type})`);
    }
    if (!needed.includes(name) && params[name] !== null) {
      throw new ValidationError(`params.${name}`, `null or absent (type ${c.type} takes ${needed.join(', ')})`);
    }
  }
  return {
    campaignId: c.campaignId,
    version: c.version,
    type: c.type,
    startsAt,
    endsAt,
    channels: c.channels,
    stores: c.stores,
    tiers: c.tiers,
    daypart: c.daypart,
    minEligibleCents: c.minEligibleCents,
    controlGroupBp: c.controlGroupBp,
    maxAwardsPerMember: c.maxAwardsPerMember,
    exclusiveGroup: c.exclusiveGroup,
    params,
  };
}

function toMillis(field: string, value: number | string): number {
  if (typeof value === 'number') return value;
  const millis = parseRfc3339(value);
  if (millis === null) throw new ValidationError(field, 'epoch millis or an RFC 3339 date-time with an offset, e.g. 2026-01-01T00:00:00Z');
  return millis;
}

function rejectDuplicates(field: string, values: string[]): void {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (seen.has(value)) throw new ValidationError(`${field}[${i}]`, `no repeat of ${value}`);
    seen.add(value);
  });
}

function toValidationError(issues: z.core.$ZodIssue[]): ValidationError {
  const issue = issues[0];
  if (issue === undefined) return new ValidationError('', 'a campaign object');
  let path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    path = path === '' ? key : `${path}.${key}`;
    return new ValidationError(path, 'no such field', `${path}: unknown field`);
  }
  return new ValidationError(path, issue.message, `${path || 'campaign'}: ${issue.message}`);
}

function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
