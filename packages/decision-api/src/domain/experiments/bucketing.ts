/**
 * Deterministic assignment of customers to experiment arms: a hash of the unit id (the pseudonymous customer id, or
 * the anonymous id before login) and a salt, so a customer sees the same arm on every device and every visit, and
 * different experiments (different salts) bucket independently.
 */

/** MurmurHash3 (x86, 32-bit) of a string's UTF-8 bytes: fast, well mixed, the same in every runtime. */
export function murmur3(text: string, seed = 0): number {
  const bytes = utf8(text);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length >> 2;
  for (let i = 0; i < blocks; i++) {
    const offset = i << 2;
    let k =
      (bytes[offset] as number) |
      ((bytes[offset + 1] as number) << 8) |
      ((bytes[offset + 2] as number) << 16) |
      ((bytes[offset + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = blocks << 2;
  switch (bytes.length & 3) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: MurmurHash3 folds the tail bytes by falling through
    case 3:
      k ^= (bytes[tail + 2] as number) << 16;
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: see above
    case 2:
      k ^= (bytes[tail + 1] as number) << 8;
    case 1:
      k ^= bytes[tail] as number;
      k = Math.imul(k, c1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, c2);
      h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();

/**
 * A string's UTF-8 bytes. Ids and salts are ASCII, whose bytes are their character codes: copied directly, which is
 * several times cheaper than a call into the encoder (and a new encoder was made for every hash).
 */
function utf8(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return encoder.encode(text);
    bytes[i] = code;
  }
  return bytes;
}

/** A unit's position in [0, 1) for a salt: uniform over units, stable for the same unit and salt. */
export function bucketOf(unitId: string, salt: string): number {
  return murmur3(`${salt}:${unitId}`) / 2 ** 32;
}

/** The buckets a layer is cut into; an experiment in the layer owns a contiguous range of them. */
export const LAYER_BUCKETS = 10_000;

/** The layer bucket of a unit: experiments in one layer own disjoint ranges, so they never share a customer. */
export function layerBucket(unitId: string, layer: string): number {
  return Math.floor(bucketOf(unitId, `layer:${layer}`) * LAYER_BUCKETS);
}

/**
 * Picks an arm by its allocation: the unit's position under the experiment's salt falls into one arm's share of
 * [0, 1). Allocations are relative weights (50/50, 1/1/2…).
 */
export function pickArm<T extends { readonly allocation: number }>(
  unitId: string,
  salt: string,
  arms: readonly T[],
): T {
  const total = arms.reduce((sum, arm) => sum + arm.allocation, 0);
  const position = bucketOf(unitId, salt) * total;
  let edge = 0;
  for (const arm of arms) {
    edge += arm.allocation;
    if (position < edge) return arm;
  }
  return arms[arms.length - 1] as T;
}
