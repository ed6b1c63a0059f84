import type { TouchpointClient } from '@touchpoint/sdk-web';
import { createContext, type ReactNode, useContext } from 'react';

const TouchpointContext = createContext<TouchpointClient | null>(null);

export interface TouchpointProviderProps {
  /** The page's client, from `createClient` of @touchpoint/sdk-web. */
  readonly client: TouchpointClient;
  readonly children?: ReactNode;
}

/** Makes the Touchpoint client available to the hooks and placements below it. */
export function TouchpointProvider({ client, children }: TouchpointProviderProps) {
  return <TouchpointContext.Provider value={client}>{children}</TouchpointContext.Provider>;
}

/** The client of the nearest <TouchpointProvider>. */
export function useTouchpointClient(): TouchpointClient {
  const client = useContext(TouchpointContext);
  if (!client)
    throw new Error(
      '[touchpoint] Touchpoint hooks and <Placement> need a <TouchpointProvider client={client}> above them.',
    );
  return client;
}
