/** What a page needs to reach Touchpoint; the bank's backend decides it at run time, per environment. */
export interface RuntimeConfig {
  /** Base URL of the Touchpoint decision API. */
  readonly endpoint: string;
  /** Publishable site key of this channel. */
  readonly siteKey: string;
}

/**
 * Reads the configuration the bank's backend placed in the page as a JSON data block
 * (`<script type="application/json" id="touchpoint-config">`), which is data, never run, so a strict CSP holds.
 */
export function readRuntimeConfig(doc: Document = document): RuntimeConfig {
  const text = doc.getElementById('touchpoint-config')?.textContent ?? '';
  let value: unknown = null;
  try {
    value = JSON.parse(text);
  } catch {
    // Reported below with the fix.
  }
  if (!isRuntimeConfig(value)) {
    throw new Error(
      'The page has no Touchpoint configuration. Serve it with the example’s server.mjs (pnpm start), which fills <script type="application/json" id="touchpoint-config">.',
    );
  }
  return { endpoint: value.endpoint, siteKey: value.siteKey };
}

function isRuntimeConfig(value: unknown): value is RuntimeConfig {
  if (typeof value !== 'object' || value === null) return false;
  const { endpoint, siteKey } = value as Record<string, unknown>;
  return typeof endpoint === 'string' && URL.canParse(endpoint) && typeof siteKey === 'string' && siteKey !== '';
}
