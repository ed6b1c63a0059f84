export { Banner, type BannerProps } from './banner.js';
export { definePlacementElement, type PlacementElementOptions } from './placement-element.js';
