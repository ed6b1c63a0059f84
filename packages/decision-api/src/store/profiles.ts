// Profile rows: read under lock and written back inside a store transaction.
import type { CustomerProfile } from '../domain/journeys/profile.js';
import type { SqlClient } from './sql.js';
import type { Subject } from './subjects.js';

export async function lockProfile(tx: SqlClient, subject: Subject): Promise<CustomerProfile | null> {
  const rows = await tx.query<{ body: CustomerProfile }>('SELECT body FROM profiles WHERE subject = $1 FOR UPDATE', [
    subject,
  ]);
  return rows[0]?.body ?? null;
}

export async function writeProfiles(
  client: SqlClient,
  profiles: ReadonlyArray<{ subject: Subject; profile: CustomerProfile }>,
): Promise<void> {
  if (profiles.length === 0) return;
  // One JSON document of [subject, profile] pairs: one JSON.stringify, where a jsonb[] array made the driver quote
  // every profile into a PostgreSQL array literal.
  await client.query(
    `INSERT INTO profiles (subject, body, updated_at)
     SELECT p->>0, p->1, now() FROM jsonb_array_elements($1::jsonb) AS p
     ON CONFLICT (subject) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
    [JSON.stringify(profiles.map((p) => [p.subject, p.profile]))],
  );
}

export async function writeProfile(tx: SqlClient, subject: Subject, profile: CustomerProfile): Promise<void> {
  await tx.query(
    `INSERT INTO profiles (subject, body, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (subject) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
    [subject, JSON.stringify(profile)],
  );
}
