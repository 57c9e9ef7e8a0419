// The loyalty program (RULES.md section 2): points rules, tiers and fraud thresholds as data.
// Validated once at the edge with zod, so the processors can trust every field.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Program } from '../avro/records.ts';
import { ConfigError } from '../engine/errors.ts';

const nonNegativeInt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const positiveInt = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const tierSchema = z.strictObject({
  name: z.string().min(1),
  minQualifyingCents: nonNegativeInt,
  multiplierBp: nonNegativeInt,
});

const programSchema = z.strictObject({
  programId: z.string().min(1),
  version: positiveInt,
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
  pointsPerUnit: nonNegativeInt,
  excludedCategories: z.array(z.string()),
  pendingHours: nonNegativeInt,
  inactivityExpiryDays: positiveInt,
  tiers: z.array(tierSchema).min(1)
    .refine((tiers) => tiers[0]?.minQualifyingCents === 0, 'the first tier must start at minQualifyingCents 0')
    .refine((tiers) => tiers.every((t, i) => i === 0 || t.minQualifyingCents > (tiers[i - 1]?.minQualifyingCents ?? 0)),
      'tiers must be in strictly increasing minQualifyingCents order')
    .refine((tiers) => new Set(tiers.map((t) => t.name)).size === tiers.length, 'tier names must be unique'),
  fraud: z.strictObject({
    velocityMaxOrders: positiveInt,
    velocityWindowMinutes: positiveInt,
    largeOrderCents: positiveInt,
    refundAbuseCount: positiveInt,
    refundAbuseWindowDays: positiveInt,
    sharedCardMembers: positiveInt,
    sharedCardWindowHours: positiveInt,
  }),
});

/** Validates a decoded program object; the error names the first offending field. */
export function parseProgram(value: unknown, source = 'program'): Program {
  const result = programSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    throw new ConfigError(`${source}: ${path}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

export const DEFAULT_PROGRAM_FILE = new URL('../programs/default.json', import.meta.url);

/** Reads and validates a program file (default: programs/default.json). */
export function loadProgram(file: string | URL = DEFAULT_PROGRAM_FILE): Program {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`program file ${String(file)} cannot be read`, cause);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`program file ${String(file)} is not JSON: ${(cause as Error).message}`, cause);
  }
  return parseProgram(value, `program file ${String(file)}`);
}
