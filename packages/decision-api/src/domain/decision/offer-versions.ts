import {
  Catalog,
  type CatalogInput,
  type Offer,
  type OfferVersion,
  type OfferVersionKind,
  OPEN_STATUSES,
} from '../../contract/index.js';

/** The same JSON whatever the key order: JSONB gives keys back in its own order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sameOffer = (a: Offer, b: Offer): boolean => canonical(a) === canonical(b);

/** Where an offer stands: what decisions serve, its live version number, and the change under way. */
export interface OfferState {
  /** The offer in the catalog decisions use; null when it is not live. */
  readonly live: Offer | null;
  readonly liveVersion: number | null;
  /** The stored version that is live, when it is what the catalog holds. */
  readonly liveRecord: OfferVersion | null;
  readonly draft: OfferVersion | null;
  /** Every version, newest first, with the catalog's own version when it is not stored yet. */
  readonly versions: readonly OfferVersion[];
  /**
   * What a change must store first so the history is whole: the catalog's offer as a version of its own (before staff
   * first change it, or when the catalog was replaced outside the console), and the stored live version it replaced.
   */
  readonly pending: { readonly baseline: OfferVersion; readonly retire: OfferVersion | null } | null;
}

/** An offer's state from its stored versions and the catalog's offer of that id. */
export function offerState(
  offerId: string,
  stored: readonly OfferVersion[],
  inCatalog: Offer | null,
  at: string,
): OfferState {
  const versions = [...stored].sort((a, b) => b.version - a.version);
  const draft = versions.find((version) => OPEN_STATUSES.includes(version.status)) ?? null;
  const liveRow = versions.find((version) => version.status === 'live') ?? null;
  if (!inCatalog) return { live: null, liveVersion: null, liveRecord: null, draft, versions, pending: null };
  if (liveRow && sameOffer(liveRow.offer, inCatalog)) {
    return { live: inCatalog, liveVersion: liveRow.version, liveRecord: liveRow, draft, versions, pending: null };
  }
  const baseline = newVersion(offerId, (versions[0]?.version ?? 0) + 1, 'catalog', inCatalog, 'catalog', at, {
    status: 'live',
    baseVersion: null,
  });
  return {
    live: inCatalog,
    liveVersion: baseline.version,
    liveRecord: baseline,
    draft,
    versions: [baseline, ...versions.map((v) => (v === liveRow ? { ...v, status: 'retired' as const } : v))],
    pending: { baseline, retire: liveRow ? { ...liveRow, status: 'retired', updatedAt: at } : null },
  };
}

export function newVersion(
  offerId: string,
  version: number,
  kind: OfferVersionKind,
  offer: Offer,
  staffId: string,
  at: string,
  fields: Partial<OfferVersion> = {},
): OfferVersion {
  return {
    offerId,
    version,
    status: 'draft',
    kind,
    revision: 1,
    baseVersion: null,
    rollbackOf: null,
    offer,
    authors: kind === 'catalog' ? [] : [staffId],
    createdBy: staffId,
    createdAt: at,
    updatedAt: at,
    submittedBy: null,
    submittedAt: null,
    approvedBy: null,
    approvedAt: null,
    publishedBy: null,
    publishedAt: null,
    catalogVersion: null,
    reviews: [],
    ...fields,
  };
}

/** The catalog with the offer put in: in its place when the catalog has it, else at the end. */
export function withOffer(catalog: Catalog, offer: Offer, version = catalog.version): CatalogInput {
  const index = catalog.offers.findIndex((o) => o.id === offer.id);
  const offers = index < 0 ? [...catalog.offers, offer] : catalog.offers.map((o, i) => (i === index ? offer : o));
  return { ...catalog, version, offers };
}

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/**
 * Whether the catalog would still be valid with the offer in it: the catalog's own rules (known products and
 * placements, protected attributes, content hosts, triggers) judge an offer exactly as they judge the seed. Errors
 * inside the offer are named under `prefix` (the offer's place in the request body); others by their catalog path.
 */
export function catalogErrors(candidate: CatalogInput, offerId: string, prefix: string): FieldError[] {
  const parsed = Catalog.safeParse(candidate);
  if (parsed.success) return [];
  const index = candidate.offers?.findIndex((o) => o.id === offerId) ?? -1;
  return parsed.error.issues.map((issue) => {
    const [head, at, ...rest] = issue.path;
    const path = head === 'offers' && at === index ? [prefix, ...rest] : ['/catalog', ...issue.path];
    const [first, ...parts] = path;
    return { path: `${String(first)}${parts.map((p) => `/${String(p)}`).join('')}`, message: issue.message };
  });
}

/** The catalog version publishing an offer's version makes: when, which offer, which version. */
export function catalogVersionName(offerId: string, version: number, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-v${version}-${offerId}`.slice(0, 64);
}

/** Why the staff member may not approve the version, or null when they may: four eyes, never the author's own. */
export function approvalRefusal(version: OfferVersion, staffId: string): string | null {
  return version.authors.includes(staffId)
    ? `${staffId} wrote or edited this draft, so another person must review it (four eyes).`
    : null;
}
