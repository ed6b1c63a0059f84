import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON Schema of the API's own OpenAPI document, which is generated from the zod
 * contract: bodies that follow the contract's shape, for fuzzing every route that takes one. (zod-fast-check speaks
 * zod 3 only; the document is what the contract says on the wire anyway.) The keywords the document uses are covered:
 * $ref, type, enum, const, anyOf/oneOf/allOf, properties/required/additionalProperties, items/minItems/maxItems,
 * pattern/format/minLength/maxLength, minimum/maximum and their exclusive forms.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly Json[];
  readonly const?: Json;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

/** Arrays are kept short: a fuzz case is about shape, and the size limits have tests of their own. */
const MAX_ITEMS = 3;
const MAX_DEPTH = 8;

export function arbitraryOf(schema: JsonSchema, components: Record<string, JsonSchema>, depth = 0): fc.Arbitrary<Json> {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = components[name];
    if (!target) throw new Error(`no schema ${schema.$ref} in the document`);
    return arbitraryOf(target, components, depth);
  }
  if (depth > MAX_DEPTH) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map((option) => arbitraryOf(option, components, depth + 1)));
  if (schema.allOf) return arbitraryOf(mergeAll(schema.allOf, components), components, depth);
  const types = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
  if (types.length > 1) {
    return fc.oneof(...types.map((type) => arbitraryOf({ ...schema, type }, components, depth)));
  }
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: lowerBound(schema, 1, -1000), max: upperBound(schema, 1, 100_000) });
    case 'number':
      return fc.double({
        min: lowerBound(schema, Number.EPSILON, -1000),
        max: upperBound(schema, Number.EPSILON, 100_000),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'string':
      return stringOf(schema);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? MAX_ITEMS, MAX_ITEMS));
      return fc.array(arbitraryOf(schema.items ?? {}, components, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectOf(schema, components, depth);
    default:
      if (schema.properties) return objectOf(schema, components, depth);
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
  }
}

function objectOf(schema: JsonSchema, components: Record<string, JsonSchema>, depth: number): fc.Arbitrary<Json> {
  const properties = Object.entries(schema.properties ?? {});
  const fields = Object.fromEntries(
    properties.map(([key, property]) => [key, arbitraryOf(property, components, depth + 1)]),
  );
  const known = fc.record(fields, { requiredKeys: (schema.required ?? []).filter((key) => key in fields) });
  const extra = schema.additionalProperties;
  if (properties.length === 0 && extra && typeof extra === 'object') {
    return fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/), arbitraryOf(extra, components, depth + 1), {
      maxKeys: MAX_ITEMS,
    }) as fc.Arbitrary<Json>;
  }
  return known as fc.Arbitrary<Json>;
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 60, 200);
  const fits = (text: string) => text.length >= minLength && text.length <= (schema.maxLength ?? Number.MAX_VALUE);
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc
        .date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10));
    case 'uri':
      return fc.webUrl();
  }
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
    } catch {
      // A pattern fast-check cannot generate from: plain text, which the contract may refuse.
    }
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
}

function lowerBound(schema: JsonSchema, step: number, fallback: number): number {
  if (schema.exclusiveMinimum !== undefined) return schema.exclusiveMinimum + step;
  return schema.minimum ?? Math.min(fallback, upperBound(schema, step, fallback));
}

function upperBound(schema: JsonSchema, step: number, fallback: number): number {
  if (schema.exclusiveMaximum !== undefined) return schema.exclusiveMaximum - step;
  return schema.maximum ?? Math.max(fallback, schema.minimum ?? schema.exclusiveMinimum ?? fallback);
}

function mergeAll(schemas: readonly JsonSchema[], components: Record<string, JsonSchema>): JsonSchema {
  const resolved = schemas.map((schema) =>
    schema.$ref ? (components[schema.$ref.replace('#/components/schemas/', '')] ?? {}) : schema,
  );
  return resolved.reduce<JsonSchema>(
    (merged, schema) => ({
      ...merged,
      ...schema,
      properties: { ...merged.properties, ...schema.properties },
      required: [...(merged.required ?? []), ...(schema.required ?? [])],
    }),
    {},
  );
}
