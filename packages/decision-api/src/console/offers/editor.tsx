import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import type { CatalogOutline, Offer } from '../../contract/index.js';
import { ApiError } from '../api.js';
import { Problem } from '../page-parts.js';
import { label, useVocabulary } from '../vocabulary.js';
import { OfferPreview } from './offer-preview.js';

const STAGES = ['aware', 'explore', 'compare', 'apply', 'sign', 'use'] as const;
const CHANNELS = ['netbank', 'mobilebank'] as const;
const LOCALES = [
  ['da', 'Danish'],
  ['en', 'English'],
] as const;

interface VariantForm {
  headline: string;
  body: string;
  ctaLabel: string;
  ctaUrl: string;
  imageUrl: string;
  imageAlt: string;
}

interface FormState {
  id: string;
  product: string;
  placements: string[];
  channels: string[];
  stages: string[];
  validFrom: string;
  validTo: string;
  value: string;
  lever: string;
  credit: boolean;
  triggeredOnly: boolean;
  principle: string;
  minAge: string;
  maxAge: string;
  requiresProducts: string;
  excludesProducts: string;
  clusters: string;
  perDay: string;
  perWeek: string;
  da: VariantForm;
  en: VariantForm;
}

const EMPTY_VARIANT: VariantForm = { headline: '', body: '', ctaLabel: '', ctaUrl: '/', imageUrl: '', imageAlt: '' };

/** datetime-local fields speak UTC here, as the catalog does. */
const toLocalInput = (iso: string | undefined) => (iso ? new Date(iso).toISOString().slice(0, 16) : '');
const fromLocalInput = (value: string) => (value ? new Date(`${value}:00Z`).toISOString() : undefined);
const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
const numberOr = (value: string) => (value.trim() === '' ? undefined : Number(value));

function formOf(offer: Offer | null, catalog: CatalogOutline): FormState {
  const variant = (v: Offer['content']['da'] | undefined): VariantForm =>
    v
      ? {
          headline: v.headline,
          body: v.body,
          ctaLabel: v.ctaLabel,
          ctaUrl: v.ctaUrl,
          imageUrl: v.image?.url ?? '',
          imageAlt: v.image?.alt ?? '',
        }
      : EMPTY_VARIANT;
  return {
    id: offer?.id ?? '',
    product: offer?.product ?? '',
    placements: offer?.placements ?? catalog.placements.slice(0, 1).map((p) => p.id),
    channels: offer?.channels ?? ['netbank'],
    stages: offer?.stages ?? [],
    validFrom: toLocalInput(offer?.validFrom),
    validTo: toLocalInput(offer?.validTo),
    value: String(offer?.value ?? 10),
    lever: String(offer?.lever ?? 1),
    credit: offer?.credit ?? false,
    triggeredOnly: offer?.triggeredOnly ?? false,
    principle: offer?.principle ?? '',
    minAge: offer?.rules?.minAge?.toString() ?? '',
    maxAge: offer?.rules?.maxAge?.toString() ?? '',
    requiresProducts: offer?.rules?.requiresProducts?.join(', ') ?? '',
    excludesProducts: offer?.rules?.excludesProducts?.join(', ') ?? '',
    clusters: offer?.rules?.clusters?.join(', ') ?? '',
    perDay: String(offer?.caps?.perDay ?? 2),
    perWeek: String(offer?.caps?.perWeek ?? 3),
    da: variant(offer?.content.da),
    en: variant(offer?.content.en),
  };
}

/** The offer the form describes, as the API takes it; the API judges it (the console repeats none of its rules). */
export function offerOf(form: FormState): Offer {
  const variant = (v: VariantForm) => ({
    headline: v.headline,
    body: v.body,
    ctaLabel: v.ctaLabel,
    ctaUrl: v.ctaUrl,
    ...(v.imageUrl.trim() ? { image: { url: v.imageUrl.trim(), alt: v.imageAlt } } : {}),
  });
  const rules = {
    ...(numberOr(form.minAge) !== undefined ? { minAge: numberOr(form.minAge) } : {}),
    ...(numberOr(form.maxAge) !== undefined ? { maxAge: numberOr(form.maxAge) } : {}),
    ...(list(form.requiresProducts).length ? { requiresProducts: list(form.requiresProducts) } : {}),
    ...(list(form.excludesProducts).length ? { excludesProducts: list(form.excludesProducts) } : {}),
    ...(list(form.clusters).length ? { clusters: list(form.clusters) } : {}),
  };
  const validFrom = fromLocalInput(form.validFrom);
  const validTo = fromLocalInput(form.validTo);
  return {
    id: form.id.trim(),
    product: form.product === '' ? null : form.product,
    placements: form.placements,
    channels: form.channels as Offer['channels'],
    ...(validFrom ? { validFrom } : {}),
    ...(validTo ? { validTo } : {}),
    stages: form.stages as Offer['stages'],
    value: Number(form.value),
    lever: Number(form.lever),
    credit: form.credit,
    ...(Object.keys(rules).length ? { rules: rules as Offer['rules'] } : {}),
    triggeredOnly: form.triggeredOnly,
    // A house offer is the fallback when nothing else is eligible, and is never capped: it has no caps to send.
    ...(form.product === '' ? {} : { caps: { perDay: Number(form.perDay), perWeek: Number(form.perWeek) } }),
    content: { da: variant(form.da), en: variant(form.en) },
    ...(form.principle ? { principle: form.principle as Offer['principle'] } : {}),
  };
}

/**
 * The offer editor: content in Danish and English, validity, targeting and rules, value and lever, the behavioural
 * principle; a preview of the banner in every placement size as the form changes. The API's refusal names the fields.
 */
export function OfferEditor({
  offer,
  catalog,
  isNew,
  saveLabel,
  onSave,
  onCancel,
}: {
  offer: Offer | null;
  catalog: CatalogOutline;
  isNew: boolean;
  saveLabel: string;
  onSave(offer: Offer): Promise<void>;
  onCancel?(): void;
}) {
  const vocabulary = useVocabulary();
  const [form, setForm] = useState<FormState>(() => formOf(offer, catalog));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const setVariant = (locale: 'da' | 'en', key: keyof VariantForm, value: string) =>
    setForm((f) => ({ ...f, [locale]: { ...f[locale], [key]: value } }));
  const toggle = (key: 'placements' | 'channels' | 'stages', value: string, on: boolean) =>
    setForm((f) => ({ ...f, [key]: on ? [...f[key], value] : f[key].filter((v) => v !== value) }));
  const current = useMemo(() => offerOf(form), [form]);
  const errors = error instanceof ApiError ? error.errors : [];
  const errorAt = (path: string) => errors.find((e) => e.path === `/offer/${path}`)?.message;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSave(current);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const text = (
    id: string,
    path: string,
    labelText: string,
    value: string,
    onChange: (v: string) => void,
    hint?: string,
  ) => (
    <Field id={id} label={labelText} hint={hint} error={errorAt(path)}>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={errorAt(path) ? true : undefined}
        aria-describedby={errorAt(path) ? `${id}-error` : undefined}
      />
    </Field>
  );

  return (
    <form onSubmit={submit} className="offer-editor" data-testid="offer-editor">
      <fieldset>
        <legend>Content</legend>
        <div className="variants">
          {LOCALES.map(([locale, name]) => (
            <fieldset key={locale} lang={locale}>
              <legend>{name}</legend>
              {text(
                `${locale}-headline`,
                `content/${locale}/headline`,
                `Headline (${name})`,
                form[locale].headline,
                (v) => setVariant(locale, 'headline', v),
              )}
              <Field id={`${locale}-body`} label={`Body (${name})`} error={errorAt(`content/${locale}/body`)}>
                <textarea
                  id={`${locale}-body`}
                  value={form[locale].body}
                  onChange={(e) => setVariant(locale, 'body', e.target.value)}
                  aria-invalid={errorAt(`content/${locale}/body`) ? true : undefined}
                  aria-describedby={errorAt(`content/${locale}/body`) ? `${locale}-body-error` : undefined}
                />
              </Field>
              {text(
                `${locale}-cta-label`,
                `content/${locale}/ctaLabel`,
                `Button text (${name})`,
                form[locale].ctaLabel,
                (v) => setVariant(locale, 'ctaLabel', v),
              )}
              {text(
                `${locale}-cta-url`,
                `content/${locale}/ctaUrl`,
                `Button link (${name})`,
                form[locale].ctaUrl,
                (v) => setVariant(locale, 'ctaUrl', v),
                'A path on the bank’s site, or https on an allowed host.',
              )}
              {text(
                `${locale}-image-url`,
                `content/${locale}/image/url`,
                `Image (${name})`,
                form[locale].imageUrl,
                (v) => setVariant(locale, 'imageUrl', v),
              )}
              {text(
                `${locale}-image-alt`,
                `content/${locale}/image/alt`,
                `Image description (${name})`,
                form[locale].imageAlt,
                (v) => setVariant(locale, 'imageAlt', v),
              )}
            </fieldset>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>Where and when</legend>
        {isNew ? (
          <Field id="offer-id" label="Offer id" hint="Lower-case letters, digits, - and _." error={errorAt('id')}>
            <input
              id="offer-id"
              required
              pattern="[a-z][a-z0-9_\-]{0,63}"
              value={form.id}
              onChange={(e) => set('id', e.target.value)}
            />
          </Field>
        ) : null}
        <Field id="product" label="Product" error={errorAt('product')}>
          <select id="product" value={form.product} onChange={(e) => set('product', e.target.value)}>
            <option value="">None: a house offer for anyone</option>
            {catalog.products.map((product) => (
              <option key={product.id} value={product.id}>
                {product.name.en}
              </option>
            ))}
          </select>
        </Field>
        <fieldset className="inline">
          <legend>Placements</legend>
          {catalog.placements.map((placement) => (
            <label key={placement.id} className="check">
              <input
                type="checkbox"
                checked={form.placements.includes(placement.id)}
                onChange={(e) => toggle('placements', placement.id, e.target.checked)}
              />
              {placement.name}
            </label>
          ))}
        </fieldset>
        <fieldset className="inline">
          <legend>Channels</legend>
          {CHANNELS.map((channel) => (
            <label key={channel} className="check">
              <input
                type="checkbox"
                checked={form.channels.includes(channel)}
                onChange={(e) => toggle('channels', channel, e.target.checked)}
              />
              {channel}
            </label>
          ))}
        </fieldset>
        <fieldset className="inline">
          <legend>Journey stages (none ticked: any)</legend>
          {STAGES.map((stage) => (
            <label key={stage} className="check">
              <input
                type="checkbox"
                checked={form.stages.includes(stage)}
                onChange={(e) => toggle('stages', stage, e.target.checked)}
              />
              {stage}
            </label>
          ))}
        </fieldset>
        <div className="pair">
          <Field id="valid-from" label="Valid from (UTC)" error={errorAt('validFrom')}>
            <input
              id="valid-from"
              type="datetime-local"
              value={form.validFrom}
              onChange={(e) => set('validFrom', e.target.value)}
            />
          </Field>
          <Field id="valid-to" label="Valid to (UTC)" error={errorAt('validTo')}>
            <input
              id="valid-to"
              type="datetime-local"
              value={form.validTo}
              onChange={(e) => set('validTo', e.target.value)}
            />
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>Whom it is for</legend>
        <div className="pair">
          {text('min-age', 'rules/minAge', 'Youngest age', form.minAge, (v) => set('minAge', v))}
          {text('max-age', 'rules/maxAge', 'Oldest age', form.maxAge, (v) => set('maxAge', v))}
        </div>
        {text(
          'requires',
          'rules/requiresProducts',
          'Requires products',
          form.requiresProducts,
          (v) => set('requiresProducts', v),
          'Product ids, separated by commas.',
        )}
        {text(
          'excludes',
          'rules/excludesProducts',
          'Excluded when holding',
          form.excludesProducts,
          (v) => set('excludesProducts', v),
          'Product ids, separated by commas.',
        )}
        {text(
          'clusters',
          'rules/clusters',
          'Behavioural clusters',
          form.clusters,
          (v) => set('clusters', v),
          'Such as cluster-3; none: any cluster.',
        )}
        <label className="check">
          <input type="checkbox" checked={form.credit} onChange={(e) => set('credit', e.target.checked)} />A credit
          product (never shown to customers flagged vulnerable or in arrears)
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={form.triggeredOnly}
            onChange={(e) => set('triggeredOnly', e.target.checked)}
          />
          Only when a trigger names it
        </label>
      </fieldset>

      <fieldset>
        <legend>Priority</legend>
        <div className="pair">
          {text('value', 'value', 'Value of a conversion', form.value, (v) => set('value', v), 'Relative units.')}
          {text('lever', 'lever', 'Business lever', form.lever, (v) => set('lever', v), '1 leaves priority as it is.')}
          {form.product === '' ? (
            <p className="note">
              A house offer is never capped: it is what a placement shows when nothing else is eligible.
            </p>
          ) : (
            <>
              {text('per-day', 'caps/perDay', 'At most per day', form.perDay, (v) => set('perDay', v))}
              {text('per-week', 'caps/perWeek', 'At most per week', form.perWeek, (v) => set('perWeek', v))}
            </>
          )}
        </div>
        <Field id="offer-principle" label="Behavioural principle" error={errorAt('principle')}>
          <select id="offer-principle" value={form.principle} onChange={(e) => set('principle', e.target.value)}>
            <option value="">None named</option>
            {(vocabulary?.principles ?? (form.principle ? [form.principle] : [])).map((p) => (
              <option key={p} value={p}>
                {label(p)}
              </option>
            ))}
          </select>
        </Field>
      </fieldset>

      <section aria-labelledby="editor-preview-title">
        <h2 id="editor-preview-title">Preview as customers will see it</h2>
        <OfferPreview offer={current} placements={catalog.placements} />
      </section>

      <div className="buttons">
        <button type="submit" disabled={busy} data-testid="save-offer">
          {busy ? 'Saving…' : saveLabel}
        </button>
        {onCancel ? (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <Problem error={error} />
    </form>
  );
}

function Field({
  id,
  label: labelText,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{labelText}</label>
      {children}
      {hint ? <small>{hint}</small> : null}
      {error ? (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}
