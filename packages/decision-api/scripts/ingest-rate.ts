/**
 * Prints how fast touchpoints are stored into PostgreSQL by the store's bulk path (batches of 500 on one connection),
 * in a schema of its own that is dropped afterwards; with --explain, also the plans of the touchpoint queries whose
 * indexes docs/deploy.md lists. A rough figure for comparing two versions on one machine, not a benchmark suite.
 *
 *   DATABASE_URL=postgres://… node --import tsx scripts/ingest-rate.ts [--batches 100] [--explain]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from '../src/store/open.js';

const { values } = parseArgs({ options: { batches: { type: 'string' }, explain: { type: 'boolean' } } });
const url = process.env.DATABASE_URL;
if (!url) throw new Error('[touchpoint] set DATABASE_URL to a PostgreSQL database to measure');
const schema = `tp_ingest_rate_${Date.now().toString(36)}`;
const batches = Number(values.batches ?? 100);
const size = 500;
const now = Date.now();
let n = 0;
const batch = () =>
  Array.from({ length: size }, () => {
    n += 1;
    return {
      subject: `c:c-${n % 5000}` as const,
      anonymousId: null,
      touchpoint: {
        id: crypto.randomUUID(),
        type: 'offer_impression' as const,
        occurredAt: new Date(now - (n % 86_400) * 1000).toISOString(),
        channel: 'netbank' as const,
        offer: 'car-loan-green',
        placement: 'dashboard-hero',
      },
    };
  });

const store = await openStore({ databaseUrl: url, schema });
const admin = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
await admin.connect();
try {
  await store.insertTouchpoints(batch()); // warm-up: connections, plans
  const started = performance.now();
  for (let i = 0; i < batches; i++) await store.insertTouchpoints(batch());
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `[touchpoint] ${batches * size} touchpoints in ${seconds.toFixed(2)} s: ${Math.round((batches * size) / seconds)} touchpoints/s`,
  );
  if (values.explain) {
    await admin.query('ANALYZE');
    const plans: Array<[string, string, unknown[]]> = [
      [
        'export, one subject by keyset',
        `SELECT * FROM touchpoints WHERE subject = ANY($1::text[]) ORDER BY occurred_at, id LIMIT 1000`,
        [['c:c-42']],
      ],
      [
        'retention, the cutoff month',
        'SELECT occurred_at, id FROM touchpoints WHERE occurred_at < $1 ORDER BY occurred_at LIMIT 1000',
        [new Date(now - 80_000_000).toISOString()],
      ],
      ['ingest, the id claim', 'SELECT id FROM touchpoint_ids WHERE id = ANY($1::uuid[])', [[crypto.randomUUID()]]],
      [
        'audience history since a time',
        `SELECT count(DISTINCT (subject, date_trunc('day', occurred_at))) FROM touchpoints WHERE occurred_at >= $1`,
        [new Date(now - 3_600_000).toISOString()],
      ],
    ];
    for (const [label, sql, params] of plans) {
      const { rows } = await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
      console.log(`\n${label}:\n${rows.map((row) => row['QUERY PLAN']).join('\n')}`);
    }
  }
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
