export const isString = (value: unknown): value is string => typeof value === 'string';

/** A non-empty string. */
export const isText = (value: unknown): value is string => isString(value) && value !== '';

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
