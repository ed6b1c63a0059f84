export { createClient } from './client.js';
export { isFallback } from './core/decision-response.js';
export { observeViewable } from './dom/observe-viewable.js';
export {
  createPlacementController,
  type PlacementController,
  type PlacementOptions,
  type PlacementState,
  type PlacementStatus,
} from './dom/placement-controller.js';
export type {
  Channel,
  ClientOptions,
  ConsentState,
  DecideOptions,
  Locale,
  OfferContent,
  PlacementDecision,
  TouchpointClient,
  TouchpointErrorInfo,
  TouchpointType,
  TrackFields,
  WhyExplanation,
} from './types.js';
