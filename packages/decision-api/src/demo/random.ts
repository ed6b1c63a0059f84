/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) with the helpers the demo bank needs.
 * The same seed gives the same sequence on every runtime, so a generated bank can be reproduced exactly.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks an item with probability proportional to its weight. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T;
  /** A normally distributed number (Box–Muller). */
  normal(mean?: number, sd?: number): number;
  /** An exponentially distributed number with the given mean. */
  exponential(mean: number): number;
  /** An RFC 4122 version-4-shaped UUID drawn from this generator (not from the system's randomness). */
  uuid(): string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function createRandom(seed: number): Random {
  // splitmix32 spreads a small or sequential seed over sfc32's 128-bit state.
  let mix = seed >>> 0;
  const splitmix = () => {
    mix = (mix + 0x9e3779b9) >>> 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();

  const nextUint32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Let the state settle before use, as sfc32's authors recommend.
  for (let i = 0; i < 12; i++) nextUint32();

  const next = () => nextUint32() / 4_294_967_296;

  const hex = (word: number, shift: number) => HEX[(word >>> shift) & 0xff] as string;
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('[touchpoint] cannot pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    weighted: <T>(entries: ReadonlyArray<readonly [T, number]>): T => {
      const total = entries.reduce((sum, [, weight]) => sum + Math.max(0, weight), 0);
      if (entries.length === 0 || total <= 0)
        throw new RangeError('[touchpoint] weighted pick needs a positive weight');
      let target = next() * total;
      for (const [item, weight] of entries) {
        target -= Math.max(0, weight);
        if (target < 0) return item;
      }
      return (entries.findLast(([, weight]) => weight > 0) as readonly [T, number])[0];
    },
    normal: (mean = 0, sd = 1) => {
      const u = 1 - next();
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    exponential: (mean) => -mean * Math.log(1 - next()),
    uuid: () => {
      const w0 = nextUint32();
      const w1 = (nextUint32() & 0xffff0fff) | 0x00004000; // version 4
      const w2 = (nextUint32() & 0x3fffffff) | 0x80000000; // variant 10xx
      const w3 = nextUint32();
      return `${hex(w0, 24)}${hex(w0, 16)}${hex(w0, 8)}${hex(w0, 0)}-${hex(w1, 24)}${hex(w1, 16)}-${hex(w1, 8)}${hex(w1, 0)}-${hex(w2, 24)}${hex(w2, 16)}-${hex(w2, 8)}${hex(w2, 0)}${hex(w3, 24)}${hex(w3, 16)}${hex(w3, 8)}${hex(w3, 0)}`;
    },
  };
}
