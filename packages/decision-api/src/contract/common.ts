import { z } from '@hono/zod-openapi';

/** Catalog identifiers: products, placements, offers. Lower-case slugs, stable across versions. */
export const Slug = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be a lower-case slug (a-z, 0-9, _ and -), at most 64 characters')
  .openapi({ example: 'car_loan' });

export const Channel = z.enum(['netbank', 'mobilebank']).openapi('Channel', {
  description: 'The bank-owned channel: the net bank (web) or the mobile bank (app and web views).',
});
export type Channel = z.infer<typeof Channel>;

export const Locale = z.enum(['da', 'en']).openapi('Locale');
export type Locale = z.infer<typeof Locale>;

/** A page path in the bank's own channel, never a full URL with query parameters. */
export const PagePath = z
  .string()
  .max(200)
  .regex(/^\/[A-Za-z0-9/_\-.]*$/, 'must be a path starting with "/" (letters, digits, "/", "_", "-", ".")')
  .openapi({ example: '/loans/car' });

/** A customer's pseudonymous id, as the bank's backend names the customer: the subject of customer tokens. */
export const CustomerId = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]{1,64}$/,
    'must be a pseudonymous customer id (letters, digits, _ and -), at most 64 characters',
  )
  .openapi({ example: 'c-00042' });

export const ProblemFieldError = z
  .object({
    path: z.string().openapi({ description: 'JSON Pointer to the offending field', example: '/touchpoints/3/type' }),
    message: z.string(),
  })
  .openapi('ProblemFieldError');

/** RFC 9457 problem details. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(ProblemFieldError).optional(),
  })
  .openapi('Problem');
export type Problem = z.infer<typeof Problem>;
