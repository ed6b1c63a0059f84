import type { TouchpointClient } from '@touchpoint/sdk-web';
import { useCallback } from 'react';
import { useTouchpointClient } from './provider.js';

/**
 * The client's `logout`, stable for as long as the client is: call it when the customer logs out. It drops cached
 * decisions, every queued touchpoint (in memory and on the device) and the anonymous id, and the placements on the
 * page decide again.
 */
export function useLogout(): TouchpointClient['logout'] {
  const client = useTouchpointClient();
  return useCallback(() => client.logout(), [client]);
}
