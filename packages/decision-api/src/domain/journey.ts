import {
  JOURNEY_STAGES,
  type JourneyStage,
  type PartnerTouchpointType,
  type TouchpointType,
} from '../contract/index.js';

/** The touchpoint types a journey understands: the SDK's, and the visits partners report from external sites. */
export type JourneyTouchpointType = TouchpointType | PartnerTouchpointType;

/** How far along a product's journey a touchpoint shows the customer to be. */
const STAGE_OF_TOUCHPOINT: Partial<Record<JourneyTouchpointType, JourneyStage>> = {
  page_view: 'aware',
  offer_click: 'aware',
  external_visit: 'aware',
  product_view: 'explore',
  calculator_used: 'compare',
  application_started: 'apply',
  application_submitted: 'sign',
  application_completed: 'use',
};

export function stageForTouchpoint(type: JourneyTouchpointType): JourneyStage | undefined {
  return STAGE_OF_TOUCHPOINT[type];
}

export function stageIndex(stage: JourneyStage | undefined): number {
  return stage === undefined ? -1 : JOURNEY_STAGES.indexOf(stage);
}

/** A journey moves forward; a later, shallower touchpoint does not move it back. */
export function advanceStage(current: JourneyStage | undefined, seen: JourneyStage): JourneyStage {
  return stageIndex(seen) > stageIndex(current) ? seen : (current ?? seen);
}
