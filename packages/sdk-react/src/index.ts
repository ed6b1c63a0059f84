export type {
  Locale,
  OfferContent,
  PlacementDecision,
  PlacementState,
  PlacementStatus,
  TouchpointClient,
} from '@touchpoint/sdk-web';
export { Banner, type BannerProps } from './banner.js';
export { Placement, type PlacementProps } from './placement.js';
export { TouchpointProvider, type TouchpointProviderProps, useTouchpointClient } from './provider.js';
export { useLogout } from './use-logout.js';
export { type UsePlacementOptions, type UsePlacementResult, usePlacement } from './use-placement.js';
export { useTrack } from './use-track.js';
