/**
 * The customer token's own cost, in isolation: microseconds per token verified in full (jose's HS256 check, the
 * claims, the subject) against one answered from the verifier's memory, and what a SHA-256 digest of the token text
 * (Web Crypto) would add as the memory's key. CPU time of the whole process (process.cpuUsage, so the thread pool
 * that Web Crypto runs on counts too) and wall time, per operation; the CPU figure holds on a loaded machine.
 *
 *   node --import tsx scripts/bench/customer-token.ts [--tokens 5000] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { ApiConfig, DEMO_CONFIG, DEMO_CUSTOMER_TOKEN_SECRET } from '../../src/config.js';
import { customerTokenVerifier } from '../../src/http/customer-token.js';

const { values } = parseArgs({
  options: { tokens: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '5' } },
});
const count = Number(values.tokens);
const rounds = Number(values.rounds);
const options = ApiConfig.parse(DEMO_CONFIG).customerToken;
const secret = new TextEncoder().encode(DEMO_CUSTOMER_TOKEN_SECRET);
const headers = await Promise.all(
  Array.from(
    { length: count },
    async (_, i) =>
      `Bearer ${await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(`c-${String(i).padStart(6, '0')}`)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setExpirationTime('2h')
        .sign(secret)}`,
  ),
);

/** Per operation: CPU µs (user + system, all threads) and wall µs, over `count` sequential awaits. */
async function measure(run: (header: string) => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const header of headers) await run(header);
  const wall = Number(process.hrtime.bigint() - start) / 1_000;
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / count, wall: wall / count };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const rows: Record<string, { cpu: number[]; wall: number[] }> = {
  'verified in full (first sight)': { cpu: [], wall: [] },
  'answered from memory (repeat)': { cpu: [], wall: [] },
  'SHA-256 of the token (Web Crypto)': { cpu: [], wall: [] },
};
const add = (name: string, figure: { cpu: number; wall: number }) => {
  rows[name]?.cpu.push(figure.cpu);
  rows[name]?.wall.push(figure.wall);
};
const encoder = new TextEncoder();
// One warm-up round (JIT), then `rounds` measured; interleaved, so a change in the machine's load hits all rows.
for (let round = 0; round <= rounds; round++) {
  const verify = customerTokenVerifier(options, () => new Date());
  const full = await measure(verify);
  const hit = await measure(verify);
  const digest = await measure((header) => crypto.subtle.digest('SHA-256', encoder.encode(header)));
  if (round === 0) continue;
  add('verified in full (first sight)', full);
  add('answered from memory (repeat)', hit);
  add('SHA-256 of the token (Web Crypto)', digest);
}
console.log(`${count} tokens, median of ${rounds} rounds, per token:`);
for (const [name, { cpu, wall }] of Object.entries(rows)) {
  console.log(
    `${name.padEnd(36)} ${median(cpu).toFixed(2).padStart(8)} µs CPU  ${median(wall).toFixed(2).padStart(8)} µs wall`,
  );
}
