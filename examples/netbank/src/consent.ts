import type { TouchpointClient } from '@touchpoint/sdk-web';
import { useCallback, useState } from 'react';
import { type ConsentChoice, loadConsent, saveConsent } from '../../shared/consent-store.js';

export const CONSENT_STORAGE_KEY = 'demobank.consent';

export interface ConsentControl {
  /** The customer's choice on this device, null until made. */
  readonly choice: ConsentChoice | null;
  /** True while the consent question is shown: on a first visit, and when reopened from the footer. */
  readonly asking: boolean;
  readonly choose: (choice: ConsentChoice) => void;
  readonly ask: () => void;
}

export function useConsent(touchpoint: TouchpointClient): ConsentControl {
  const [choice, setChoice] = useState<ConsentChoice | null>(() => loadConsent(CONSENT_STORAGE_KEY));
  const [reopened, setReopened] = useState(false);
  const choose = useCallback(
    (next: ConsentChoice) => {
      saveConsent(CONSENT_STORAGE_KEY, next);
      touchpoint.setConsent(next);
      setChoice(next);
      setReopened(false);
    },
    [touchpoint],
  );
  const ask = useCallback(() => setReopened(true), []);
  return { choice, asking: choice === null || reopened, choose, ask };
}
