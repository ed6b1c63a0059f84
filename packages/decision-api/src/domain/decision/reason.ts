import type { JourneyStage, Locale, Product } from '../../contract/index.js';

/** The short, honest customer-facing answer to "why am I seeing this?". */
export function customerReason(locale: Locale, product: Product | undefined, stage: JourneyStage | undefined): string {
  if (!product || !stage) {
    return locale === 'da'
      ? 'Et generelt forslag til bankens kunder. Det bygger ikke på din aktivitet.'
      : 'A general suggestion for the bank’s customers. It is not based on your activity.';
  }
  const name = product.name[locale].toLocaleLowerCase(locale);
  switch (stage) {
    case 'aware':
    case 'explore':
      return locale === 'da'
        ? `Fordi du for nylig har kigget på ${name} i banken.`
        : `Because you recently looked at ${name} in the bank.`;
    case 'compare':
      return locale === 'da'
        ? `Fordi du for nylig har beregnet en pris på ${name}.`
        : `Because you recently priced ${name}.`;
    case 'apply':
    case 'sign':
      return locale === 'da'
        ? `Fordi du er i gang med en ansøgning om ${name}.`
        : `Because you have an application for ${name} in progress.`;
    case 'use':
      return locale === 'da' ? `Fordi du bruger ${name} i banken.` : `Because you use ${name} with the bank.`;
  }
}

export function noOfferReason(locale: Locale): string {
  return locale === 'da' ? 'Intet tilbud passer her lige nu.' : 'No offer fits here right now.';
}
