import { useEffect, useState } from 'react';

export interface Vocabulary {
  readonly principles: readonly string[];
  readonly metrics: readonly string[];
  readonly channels: readonly string[];
}

let cached: Promise<Vocabulary> | null = null;

/** The API's own lists (principles, metrics, channels), read from its OpenAPI document so the console never drifts. */
export function useVocabulary(): Vocabulary | null {
  const [vocabulary, setVocabulary] = useState<Vocabulary | null>(null);
  useEffect(() => {
    cached ??= fetch('/openapi.json')
      .then((response) => response.json())
      .then((document) => {
        const schemas = document.components.schemas;
        return {
          principles: schemas.BehaviouralPrinciple.enum,
          metrics: schemas.PrimaryMetric.enum,
          channels: schemas.Channel.enum,
        };
      });
    cached.then(setVocabulary).catch(() => {
      cached = null;
    });
  }, []);
  return vocabulary;
}

export const label = (value: string) => value.replaceAll('_', ' ');
