#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createTouchpointApp } from '../app.js';
import { configFromEnv } from '../config.js';
import { featuredDemoCustomers, generateDemoBank } from '../demo/index.js';
import { seedDemoBank } from '../demo/seed.js';
import { mintCustomerToken } from '../http/customer-token.js';
import { mintStaffToken, STAFF_ROLES, type StaffRole } from '../http/staff-token.js';
import { trainAndActivateClusters } from '../jobs/cluster-training.js';
import { purgeExpiredTouchpoints } from '../jobs/retention.js';
import { readSeedCatalog, startNodeServer } from '../runtime/node.js';
import { hashStaffPassword } from '../runtime/staff-password.js';
import { openStore, statementTimeoutFromEnv } from '../store/open.js';
import { summariseClusterModel, summariseComparison } from './cluster-summary.js';

const USAGE = `touchpoint <command> [options]

Commands:
  serve     start the decision API (default port 8787)
  migrate   bring the store's schema up to date
  seed      load the demo bank's catalog and generated customers, and train the first cluster model
  cluster   train a new cluster model on the stored customers, make it the active one, and print it
  purge     delete touchpoints older than the retention (TOUCHPOINT_RETENTION_TOUCHPOINT_DAYS, default 395 days)
  staff-token  print a staff token (--staff <id> --roles a,b [--branch <b>]) signed with the staff secret
  customer-token <id>  print a customer token for <id> (development: signed with TOUCHPOINT_CUSTOMER_TOKEN_SECRET,
               the demo secret by default; --ttl <seconds>, default 3600); without <id>, list the demo customers
  what-if   print the what-if report of an offer's version as JSON (--offer <id> --version <n> [--sample <n>]
            [--days <n>]): the same report as GET /v1/admin/offers/{id}/versions/{n}/what-if
  staff-password  read a password on standard input and print its scrypt hash for the staff directory

Options:
  --port <n>          port to listen on (serve)
  --host <h>          address to bind (serve; default 127.0.0.1)
  --data-dir <path>   embedded store folder (default ./.data/touchpoint)
  --database-url <u>  PostgreSQL instead of the embedded store (or DATABASE_URL)
  --schema <name>     PostgreSQL schema to use, created if missing (or DATABASE_SCHEMA; default: the server's search_path)
  --seed              seed the demo bank on start when the store is empty (serve)
  --customers <n>     number of demo customers (seed; default 5000)
  --k <n>             number of clusters (cluster; default: chosen by silhouette from 2 to 10)
  --min-size <n>      smallest cluster kept, smaller ones are merged (cluster; default 100)
  --staff <id>        staff member id (staff-token; cluster: recorded as who trained, default "cli")
  --roles <list>      comma-separated roles: viewer, marketer, approver, advisor, admin (staff-token)
  --branch <b>        the advisor's branch (staff-token)
  --days <n>          keep touchpoints of the last n days (purge; default from the configuration)
  --ttl <seconds>     how long the token is valid (customer-token; default 3600)
  --offer <id>        the offer (what-if)
  --version <n>       the offer's version to replay beside the live catalog (what-if)
  --sample <n>        how many customers to replay (what-if; default 2000)`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      schema: { type: 'string' },
      seed: { type: 'boolean' },
      customers: { type: 'string' },
      k: { type: 'string' },
      'min-size': { type: 'string' },
      staff: { type: 'string' },
      roles: { type: 'string' },
      branch: { type: 'string' },
      days: { type: 'string' },
      ttl: { type: 'string' },
      offer: { type: 'string' },
      version: { type: 'string' },
      sample: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const dataDir = values['data-dir'] ?? process.env.TOUCHPOINT_DATA_DIR ?? './.data/touchpoint';
  const schema = values.schema ?? process.env.DATABASE_SCHEMA;
  const storeOptions = databaseUrl
    ? { databaseUrl, ...(schema ? { schema } : {}), ...statementTimeoutFromEnv(process.env) }
    : { dataDir };

  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (command === 'serve') {
    const server = await startNodeServer({
      ...(databaseUrl ? { databaseUrl, ...(schema ? { databaseSchema: schema } : {}) } : { dataDir }),
      port: Number(values.port ?? process.env.PORT ?? 8787),
      host: values.host ?? process.env.HOST ?? '127.0.0.1',
      seedDemo: values.seed ?? false,
    });
    console.log(`[touchpoint] decision API on ${server.url} (docs ${server.url}/docs)`);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }
  if (command === 'staff-token') {
    const roles = (values.roles ?? '').split(',').filter((role) => role !== '');
    const unknown = roles.filter((role) => !(STAFF_ROLES as readonly string[]).includes(role));
    if (!values.staff || roles.length === 0 || unknown.length > 0) {
      throw new Error(`[touchpoint] staff-token needs --staff <id> and --roles from ${STAFF_ROLES.join(', ')}`);
    }
    const { staffToken } = configFromEnv(process.env);
    const member = {
      id: values.staff,
      roles: roles as StaffRole[],
      ...(values.branch ? { branch: values.branch } : {}),
    };
    console.log(await mintStaffToken(staffToken, member));
    return;
  }
  if (command === 'customer-token') {
    const customerId = positionals[1];
    if (!customerId) {
      const customers = featuredDemoCustomers(generateDemoBank({ now: new Date() }));
      console.log("touchpoint customer-token <customer id> [--ttl <seconds>]\n\nThe demo bank's featured customers:");
      for (const customer of customers)
        console.log(`  ${customer.id}  ${customer.displayName}: ${customer.situation.en}`);
      return;
    }
    const ttlSeconds = Number(values.ttl ?? 3600);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error('[touchpoint] --ttl must be whole seconds');
    console.log(await mintCustomerToken(configFromEnv(process.env).customerToken, customerId, { ttlSeconds }));
    return;
  }
  if (command === 'staff-password') {
    // Read from standard input, never from the arguments, so the password stays out of shell history and process lists.
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const password = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (password.length < 12) throw new Error('[touchpoint] staff-password needs a password of at least 12 characters');
    console.log(await hashStaffPassword(password));
    return;
  }
  const store = await openStore(storeOptions);
  try {
    if (command === 'migrate') {
      console.log(`[touchpoint] schema up to date on ${store.engine}`);
    } else if (command === 'seed') {
      const result = await seedDemoBank(store, {
        catalog: readSeedCatalog(),
        now: new Date(),
        ...(values.customers ? { customers: Number(values.customers) } : {}),
      });
      console.log(`[touchpoint] seeded ${result.customers} customers and ${result.touchpoints} touchpoints`);
      const { stored } = await trainAndActivateClusters(store, { now: new Date(), trainedBy: 'demo-seed' });
      console.log(summariseClusterModel(stored.model));
    } else if (command === 'cluster') {
      const { stored, tried, comparison } = await trainAndActivateClusters(store, {
        now: new Date(),
        trainedBy: values.staff ?? 'cli',
        ...(values.k !== undefined ? { k: Number(values.k) } : {}),
        ...(values['min-size'] !== undefined ? { minClusterSize: Number(values['min-size']) } : {}),
      });
      console.log(summariseClusterModel(stored.model, tried));
      if (comparison) console.log(summariseComparison(comparison));
      console.log(`[touchpoint] cluster model v${stored.model.version} is the active one`);
    } else if (command === 'purge') {
      const touchpointDays =
        values.days !== undefined ? Number(values.days) : configFromEnv(process.env).retention.touchpointDays;
      const { cutoff, deleted } = await purgeExpiredTouchpoints(store, { now: new Date(), touchpointDays });
      console.log(`[touchpoint] purged ${deleted} touchpoints from before ${cutoff.toISOString()}`);
    } else if (command === 'what-if') {
      if (!values.offer || !values.version)
        throw new Error('[touchpoint] what-if needs --offer <id> and --version <n>');
      console.log(JSON.stringify(await whatIfByCli(store, values), null, 2));
    } else {
      console.error(`[touchpoint] unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
    }
  } finally {
    await store.close();
  }
}

/** The API's own route, asked in process with a viewer's token, so the command and the route give the same report. */
async function whatIfByCli(
  store: Awaited<ReturnType<typeof openStore>>,
  values: { offer?: string; version?: string; sample?: string; days?: string; staff?: string },
): Promise<unknown> {
  const config = configFromEnv(process.env);
  const touchpoint = await createTouchpointApp({ store, config });
  try {
    const token = await mintStaffToken(config.staffToken, { id: values.staff ?? 'cli', roles: ['viewer'] });
    const query = new URLSearchParams();
    if (values.sample) query.set('sample', values.sample);
    if (values.days) query.set('days', values.days);
    const path = `/v1/admin/offers/${encodeURIComponent(values.offer ?? '')}/versions/${encodeURIComponent(values.version ?? '')}/what-if`;
    const response = await touchpoint.app.request(`http://touchpoint.cli${path}?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = await response.json();
    if (!response.ok)
      throw new Error(`[touchpoint] what-if: ${(body as { detail?: string }).detail ?? response.status}`);
    return body;
  } finally {
    await touchpoint.flush();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(message.startsWith('[touchpoint]') ? message : `[touchpoint] ${message}`);
  process.exit(1);
});
