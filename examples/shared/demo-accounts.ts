/** The customer's accounts in the demo: invented, but the same for a customer on every visit and in both apps. */
export interface DemoAccount {
  readonly kind: 'checking' | 'budget' | 'savings';
  /** Masked, as a bank shows it on an overview. */
  readonly maskedNumber: string;
  /** In Danish kroner. */
  readonly balance: number;
}

export function demoAccountsOf(customerId: string): DemoAccount[] {
  const next = seededSequence(customerId);
  const account = (kind: DemoAccount['kind'], low: number, high: number): DemoAccount => ({
    kind,
    maskedNumber: `•••• ${String(1000 + Math.floor(next() * 9000))}`,
    balance: Math.round((low + next() * (high - low)) * 100) / 100,
  });
  return [account('checking', 2_500, 48_000), account('budget', 800, 14_000), account('savings', 5_000, 260_000)];
}

export function formatKroner(amount: number, locale: 'da' | 'en', fractionDigits = 2): string {
  return new Intl.NumberFormat(locale === 'da' ? 'da-DK' : 'en-GB', {
    style: 'currency',
    currency: 'DKK',
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(amount);
}

/** A small deterministic generator (FNV-1a seed, mulberry32 steps) so balances follow from the customer id. */
function seededSequence(text: string): () => number {
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
