import type { DEFAULT_OFFER_CAPS, Offer } from '../../contract/index.js';

/** The caps of a product offer that names none; typed by the contract's own constant, so the two cannot drift. */
const DEFAULT_CAPS: typeof DEFAULT_OFFER_CAPS = { perDay: 2, perWeek: 3 };

/** One field of an offer, as the live version and the draft hold it (null: absent). */
export interface FieldChange {
  /** The field's path in the offer, such as `content/en/headline`. */
  readonly path: string;
  readonly label: string;
  readonly before: string | null;
  readonly after: string | null;
  readonly changed: boolean;
}

/** The fields of one part of an offer (its English content, its rules, …), in the order the editor shows them. */
export interface DiffSection {
  readonly title: string;
  readonly fields: readonly FieldChange[];
  readonly changed: number;
}

const SECTIONS: ReadonlyArray<{ readonly title: string; readonly match: (path: string) => boolean }> = [
  { title: 'Content (English)', match: (p) => p.startsWith('content/en/') },
  { title: 'Content (Danish)', match: (p) => p.startsWith('content/da/') },
  { title: 'Rules', match: (p) => p.startsWith('rules/') || p === 'credit' || p === 'triggeredOnly' },
  { title: 'Value and lever', match: (p) => p === 'value' || p === 'lever' },
  { title: 'Caps', match: (p) => p.startsWith('caps/') },
  {
    title: 'Placements, channels and stages',
    match: (p) => ['placements', 'channels', 'stages', 'validFrom', 'validTo'].includes(p),
  },
];

const LABELS: Record<string, string> = {
  headline: 'Headline',
  body: 'Body',
  ctaLabel: 'Button label',
  ctaUrl: 'Button link',
  url: 'Image',
  alt: 'Image description',
  minAge: 'From age',
  maxAge: 'To age',
  requiresProducts: 'Holds',
  excludesProducts: 'Does not hold',
  clusters: 'Clusters',
  credit: 'Credit product',
  triggeredOnly: 'Only when triggered',
  value: 'Value',
  lever: 'Lever',
  perDay: 'Impressions a day',
  perWeek: 'Impressions a week',
  placements: 'Placements',
  channels: 'Channels',
  stages: 'Stages',
  validFrom: 'Valid from',
  validTo: 'Valid to',
  product: 'Product',
  principle: 'Behavioural principle',
};

const labelOf = (path: string) => {
  const last = path.split('/').at(-1) ?? path;
  return LABELS[last] ?? last.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
};

/** Every leaf of the offer, by path; a list of plain values is one leaf, read as the editor writes it. */
function leaves(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    out.set(prefix, value.length === 0 ? 'none' : value.map(String).join(', '));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) leaves(inner, prefix ? `${prefix}/${key}` : key, out);
  } else if (value !== undefined) {
    out.set(prefix, typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));
  }
  return out;
}

/** What an absent field means, so a cap left at its default does not read as a change to the same value. */
function withDefaults(offer: Offer): Offer {
  return offer.product === null ? offer : { ...offer, caps: offer.caps ?? { ...DEFAULT_CAPS } };
}

/**
 * The draft against the live version, field by field, grouped as the editor groups them; a field either side lacks
 * reads as absent. Every field is kept (unchanged ones too), so the screen can collapse what did not change.
 */
export function offerDiff(before: Offer | null, after: Offer): DiffSection[] {
  const was = before ? leaves(withDefaults(before)) : new Map<string, string>();
  const now = leaves(withDefaults(after));
  const paths = [...new Set([...was.keys(), ...now.keys()])];
  const fields = paths.map((path) => {
    const b = was.get(path) ?? null;
    const a = now.get(path) ?? null;
    return { path, label: labelOf(path), before: b, after: a, changed: b !== a };
  });
  const sections = [...SECTIONS, { title: 'Other', match: () => true }];
  const placed = new Set<string>();
  return sections
    .map(({ title, match }) => {
      const mine = fields.filter((f) => f.path !== 'id' && !placed.has(f.path) && match(f.path));
      for (const f of mine) placed.add(f.path);
      return { title, fields: mine, changed: mine.filter((f) => f.changed).length };
    })
    .filter((section) => section.fields.length > 0);
}
