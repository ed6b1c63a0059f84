import { h, type VNode } from 'preact';
import { type BannerProps, banner, type CreateElement } from '../banner.js';

export type { BannerProps };

/** The offer banner as a Preact component: the markup sdk-react's default banner shares. */
export function Banner(props: BannerProps<MouseEvent>): VNode {
  return banner(h as CreateElement<VNode>, props as BannerProps);
}
