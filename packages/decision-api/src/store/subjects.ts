/** Whom a profile belongs to: a logged-in customer (`c:`) or a device not yet linked to one (`a:`). */
export type Subject = `c:${string}` | `a:${string}`;
export const customerSubject = (customerId: string): Subject => `c:${customerId}`;
export const anonymousSubject = (anonymousId: string): Subject => `a:${anonymousId}`;

/** The `channel` of touchpoints partners report from external sites, as opposed to the bank's own channels. */
export const EXTERNAL_CHANNEL = 'external';
