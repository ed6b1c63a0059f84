import { Banner, type Locale, type OfferContent, type PlacementDecision } from '@touchpoint/sdk-react';
import { adoptPageBannerStyles } from '@touchpoint/sdk-web/banner';
import { useEffect, useId, useState } from 'react';
import type { ContentVariant, Offer, Placement } from '../../contract/index.js';

/** The offer as the SDK receives it in a decision, so the banner drawn here is the one customers see. */
function bannerContentOf(offer: Offer, locale: Locale): { content: OfferContent; externalImage: string | null } {
  const variant: ContentVariant = offer.content[locale];
  // The console's CSP loads images from its own origin only; a catalog host's image is named, not loaded.
  const external = variant.image && !variant.image.url.startsWith('/') ? variant.image.url : null;
  return {
    content: {
      offerId: offer.id,
      product: offer.product,
      locale,
      // An empty field shows where its text will go; the API refuses an offer with it empty.
      headline: variant.headline || '[Headline]',
      body: variant.body || '[Body]',
      cta: { label: variant.ctaLabel || '[Button text]', url: variant.ctaUrl },
      image: variant.image && !external ? variant.image : null,
    },
    externalImage: external,
  };
}

const REASON: Record<Locale, string> = {
  da: 'Her står den begrundelse, beslutningen giver kunden.',
  en: 'The reason each decision gives the customer appears here.',
};

/**
 * The offer's banner in the size of every placement it is for, in Danish or English: the SDK's own banner and
 * stylesheet, so staff see exactly what customers will see. Links and the dismiss button do nothing here.
 */
export function OfferPreview({ offer, placements }: { offer: Offer; placements: readonly Placement[] }) {
  const [locale, setLocale] = useState<Locale>('da');
  const [everywhere, setEverywhere] = useState(false);
  const name = useId();
  useEffect(() => {
    adoptPageBannerStyles(document);
  }, []);
  const shown = everywhere ? placements : placements.filter((placement) => offer.placements.includes(placement.id));
  const { content, externalImage } = bannerContentOf(offer, locale);
  return (
    <div className="offer-preview" data-testid="preview">
      <fieldset className="inline">
        <legend>Language of the preview</legend>
        {(['da', 'en'] as const).map((l) => (
          <label key={l} className="check">
            <input type="radio" name={name} value={l} checked={locale === l} onChange={() => setLocale(l)} />
            {l === 'da' ? 'Danish' : 'English'}
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={everywhere} onChange={(e) => setEverywhere(e.target.checked)} />
        Also in the placements the offer is not for
      </label>
      {externalImage ? (
        <p className="note">The image comes from {externalImage}; the console does not load it.</p>
      ) : null}
      {shown.length === 0 ? <p>The offer is in no placement yet.</p> : null}
      {shown.map((placement) => {
        const decision: PlacementDecision = {
          placement: placement.id,
          decisionId: '00000000-0000-4000-8000-000000000000',
          offer: content,
          size: placement.size,
          ttlSeconds: 0,
          reason: REASON[locale],
        };
        return (
          <figure key={placement.id} className="offer-preview-size" data-testid={`preview-${placement.id}`}>
            <figcaption>
              {placement.name} · {placement.size.width} × {placement.size.height} px · {placement.channels.join(', ')}
              {offer.placements.includes(placement.id) ? '' : ' · not a placement of this offer'}
            </figcaption>
            <div className="offer-preview-frame">
              <div
                className="tp-placement"
                data-placement={placement.id}
                style={{ width: placement.size.width, height: placement.size.height }}
              >
                <Banner decision={decision} offer={content} onClick={(event) => event.preventDefault()} />
              </div>
            </div>
          </figure>
        );
      })}
    </div>
  );
}
