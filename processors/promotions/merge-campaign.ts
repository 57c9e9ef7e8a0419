// Merge of the campaigns.v1 global table: the highest version of a campaign wins (RULES.md 6.14),
// whatever order the compacted topic delivers versions in.
import { validateCampaign } from './campaign-schema.ts';

/**
 * The table value after `next` arrives for a key already holding `previous`. A lower or equal
 * version never replaces. A record that is not a valid campaign (a hand-produced bad value) is
 * ignored, so one bad record cannot stop every order's evaluation; with nothing before it the
 * result is `undefined`, which evaluation skips. (Tombstones never reach here: the engine's
 * global table deletes the key.)
 */
export function mergeCampaign(previous: unknown, next: unknown): unknown {
  const incoming = tryValidate(next);
  if (incoming === null) return previous;
  const current = tryValidate(previous);
  if (current !== null && incoming.version <= current.version) return previous;
  return incoming;
}

function tryValidate(value: unknown): ReturnType<typeof validateCampaign> | null {
  if (value === null || value === undefined) return null;
  try {
    return validateCampaign(value);
  } catch {
    return null;
  }
}
