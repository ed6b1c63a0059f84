import {
  createPlacementController,
  type Locale,
  type PlacementDecision,
  type PlacementState,
  type WhyExplanation,
} from '@touchpoint/sdk-web';
import { useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useTouchpointClient } from './provider.js';

export interface UsePlacementOptions {
  /** Defaults to the current location's path. */
  readonly page?: string;
  readonly locale?: Locale;
}

export interface UsePlacementResult extends PlacementState {
  /** Attach to the element that shows the placement: its viewability counts as the impression. */
  readonly ref: (element: Element | null) => void;
  /** Call when the customer clicks the offer's link (the link then navigates as usual). */
  readonly onClick: () => void;
  /** Call when the customer dismisses the offer: the next decision is asked for. */
  readonly onDismiss: () => void;
  /** Call when the customer opens "why am I seeing this?": the explanation is fetched (once per decision). */
  readonly onWhy: () => void;
  /** The current decision's explanation once fetched; null before, or when there is none to give. */
  readonly explanation: WhyExplanation | null;
}

interface Why {
  readonly decision: PlacementDecision | null;
  readonly explanation?: WhyExplanation | null;
}

const SERVER_STATE: PlacementState = { status: 'loading', decision: null, offer: null };
const serverState = () => SERVER_STATE;

/**
 * The decision for a placement and the callbacks to report what the customer does with it. All the logic is
 * sdk-web's placement controller; this hook subscribes to it. On the server it is loading, without any request.
 */
export function usePlacement(name: string, { page, locale }: UsePlacementOptions = {}): UsePlacementResult {
  const client = useTouchpointClient();
  const controller = useMemo(
    () => createPlacementController(client, { name, page, locale }),
    [client, name, page, locale],
  );
  // The server (and hydration) always render the loading box; in the browser a fresh cached decision is there at
  // once, so it is in the first paint.
  const state = useSyncExternalStore(controller.subscribe, controller.getState, serverState);
  const [why, setWhy] = useState<Why>({ decision: null });
  /** The decision whose explanation was asked for: set at once, so a second toggle before the render asks nothing. */
  const asked = useRef<PlacementDecision | null>(null);
  const { decision } = state;
  // Through the client, so the customer token goes in its header, never into a URL.
  const onWhy = () => {
    if (!decision || asked.current === decision) return;
    asked.current = decision;
    setWhy({ decision });
    void client.explain(decision).then((explanation) => {
      setWhy((current) => (current.decision === decision ? { decision, explanation } : current));
    });
  };
  return {
    ...state,
    ref: controller.observe,
    onClick: controller.click,
    onDismiss: controller.dismiss,
    onWhy,
    explanation: (why.decision === decision && why.explanation) || null,
  };
}
