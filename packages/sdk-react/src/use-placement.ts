import { createPlacementController, type Locale, type PlacementState } from '@touchpoint/sdk-web';
import { useMemo, useSyncExternalStore } from 'react';
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
  return { ...state, ref: controller.observe, onClick: controller.click, onDismiss: controller.dismiss };
}
