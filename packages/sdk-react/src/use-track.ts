import type { TouchpointClient } from '@touchpoint/sdk-web';
import { useCallback } from 'react';
import { useTouchpointClient } from './provider.js';

/** The client's `track`, stable for as long as the client is: safe in effect dependencies. */
export function useTrack(): TouchpointClient['track'] {
  const client = useTouchpointClient();
  return useCallback((type, fields) => client.track(type, fields), [client]);
}
