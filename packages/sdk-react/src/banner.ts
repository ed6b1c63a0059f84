import type { BannerProps as SharedBannerProps } from '@touchpoint/sdk-web/banner';
import { banner, type CreateElement } from '@touchpoint/sdk-web/banner';
import { createElement, type MouseEvent, type ReactElement } from 'react';

export type BannerProps = SharedBannerProps<MouseEvent>;

/** The default offer banner in React DOM: the same markup and class names as the <tp-placement> element's. */
export function Banner(props: BannerProps): ReactElement {
  return banner(createElement as CreateElement<ReactElement>, props as SharedBannerProps);
}
