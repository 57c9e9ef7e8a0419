// FNV-1a, 32-bit, over the UTF-8 bytes of a string. It assigns members to campaign control
// groups (RULES.md 4 and 6.14): a fixed, public hash keeps the assignment stable across
// processes, replays and languages, so analysts can recompute it in SQL.

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** The unsigned 32-bit FNV-1a hash of the UTF-8 encoding of `text`. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    // Math.imul keeps the multiplication exact modulo 2^32 (a plain * would lose bits as a double).
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** Basis point bucket 0..9999 of a member in a campaign; below controlGroupBp means control. */
export function controlBucket(campaignId: string, memberId: string): number {
  return fnv1a32(`${campaignId}:${memberId}`) % 10000;
}
