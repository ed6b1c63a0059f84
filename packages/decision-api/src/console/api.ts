import type { StaffRole } from '../contract/index.js';

/** The console's calls to the decision API: same origin, the session cookie, and the CSRF header on every change. */

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** A refusal from the API, as its problem+json says it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: readonly FieldError[] = [],
    readonly type = '',
  ) {
    super(detail ?? title);
  }
}

export interface StaffMember {
  readonly id: string;
  readonly displayName?: string;
  readonly roles: readonly Role[];
  readonly branch: string | null;
}

export type Role = StaffRole;

function csrfToken(): string {
  const match = /(?:^|;\s*)tp_csrf=([^;]+)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : '';
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken();
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(
      response.status,
      payload.title ?? response.statusText,
      payload.detail,
      payload.errors,
      payload.type,
    );
  }
  return payload as T;
}

/** Who may do what: mirrors the API's role checks, so the console hides what the API would refuse. */
export function can(staff: StaffMember, ...roles: Role[]): boolean {
  return staff.roles.includes('admin') || staff.roles.some((role) => roles.includes(role));
}

export const percent = (value: number, digits = 1) => `${(value * 100).toFixed(digits)} %`;
export const points = (value: number, digits = 1) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(digits)} pp`;
