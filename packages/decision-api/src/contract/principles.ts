import { z } from '@hono/zod-openapi';

/**
 * The behavioural principles an experiment or an offer's content may rely on. A fixed list, so experiments can be
 * compared by principle across the registry and offers are tagged alike; extend it here when the bank's behavioural
 * team names a new one.
 */
export const BEHAVIOURAL_PRINCIPLES = [
  'social_proof',
  'loss_aversion',
  'default_effect',
  'scarcity',
  'anchoring',
  'framing',
  'reciprocity',
  'authority',
  'commitment',
  'simplification',
  'salience',
  'timing',
] as const;
export const BehaviouralPrinciple = z.enum(BEHAVIOURAL_PRINCIPLES).openapi('BehaviouralPrinciple');
export type BehaviouralPrinciple = z.infer<typeof BehaviouralPrinciple>;
