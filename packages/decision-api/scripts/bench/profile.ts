/**
 * Profile POST /v1/decisions: starts the benchmark server under `node --cpu-prof`, drives it with logged-in decisions
 * for a while (autocannon, 10 connections), stops it, and prints where the server's CPU time went (self time by
 * function and by file, from the .cpuprofile), with the CPU milliseconds per decision.
 *
 * The first 2 s warm the server up (JIT, token cache, pool) and are left out of the figures.
 *
 *   node --import tsx scripts/bench/profile.ts [--seconds 15] [--database-url postgres://…] [--dir /tmp/prof]
 *     [--server path/to/server.ts]   another checkout's benchmark server, to compare before and after
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { decisionRequests } from './requests.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    'database-url': { type: 'string' },
    dir: { type: 'string' },
    top: { type: 'string', default: '30' },
    server: { type: 'string' },
  },
});
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'tp-prof-'));
const SERVER = values.server ?? fileURLToPath(new URL('./server.ts', import.meta.url));
const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', SERVER, '--customers', '1000'];
if (values['database-url']) args.push('--database-url', values['database-url']);
const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
const first = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});
const served = JSON.parse(first) as { url: string; customers: string[] };

const requests = await decisionRequests(served.customers);
let next = 0;
const load = (duration: number) =>
  autocannon({
    url: served.url,
    connections: 10,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/v1/decisions',
        setupRequest: (request) => {
          const one = requests[next++ % requests.length] as (typeof requests)[number];
          return { ...request, headers: one.headers, body: one.body };
        },
      },
    ],
  });
await load(2);
// The server's own CPU time (user + system, from /proc) over the measured load: unlike the profile's wall-clock
// samples, it does not grow when a loaded machine keeps the server waiting for a core.
const cpuTicks = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
// And per thread: the request thread (its id is the process id) and the others (PGlite's own thread on the embedded
// store, the collector's helpers, libuv's pool).
const threadTicks = () => {
  const ticks = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ');
      ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return ticks;
};
const ticksBefore = cpuTicks();
const threadsBefore = threadTicks();
// The profile's timestamps are microseconds of the system's monotonic clock, as is hrtime in this process.
const loadStart = Number(process.hrtime.bigint() / 1_000n);
const result = await load(Number(values.seconds));
const loadEnd = Number(process.hrtime.bigint() / 1_000n);
const cpuMs = ((cpuTicks() - ticksBefore) * 1_000) / 100;
const threadMs = [...threadTicks()]
  .map(([tid, ticks]) => ({ tid, ms: ((ticks - (threadsBefore.get(tid) ?? 0)) * 1_000) / 100 }))
  .sort((a, b) => b.ms - a.ms);
const exited = new Promise((resolve) => child.once('exit', resolve));
child.stdin?.end();
await exited;

const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile in ${dir}`);
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
};
// Only the load's window: neither the seeding before it nor the closing after it is what is measured.
const total = (profile.endTime - profile.startTime) / 1_000;
const self = new Map<number, number>();
let t = profile.startTime;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i] ?? 0;
  if (t >= loadStart && t <= loadEnd) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const shortFile = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/.*\/decision-api\//, '');
const key = (node: Node) =>
  `${node.callFrame.functionName || '(anonymous)'} ${shortFile(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
const selfBy = new Map<string, number>();
const fileBy = new Map<string, number>();
const totalBy = new Map<string, number>();
let busy = 0;
for (const [id, us] of self) {
  const node = byId.get(id) as Node;
  selfBy.set(key(node), (selfBy.get(key(node)) ?? 0) + us);
  const f = shortFile(node.callFrame.url) || node.callFrame.functionName;
  fileBy.set(f, (fileBy.get(f) ?? 0) + us);
  if (node.callFrame.functionName !== '(idle)') busy += us;
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const k = key(byId.get(at) as Node);
    if (seen.has(k)) continue;
    seen.add(k);
    totalBy.set(k, (totalBy.get(k) ?? 0) + us);
  }
}
const top = Number(values.top);
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n== ${title} ==`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1_000).toFixed(0).padStart(8)} ms  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`);
  }
};
print('self time by function', selfBy);
print('self time by file', fileBy);
print('total time by function', totalBy);
const decisions = result.requests.total;
console.log(
  `\nserver CPU (user + system) ${cpuMs.toFixed(0)} ms → ${(cpuMs / result.requests.total).toFixed(2)} ms per decision`,
);
const perDecision = (ms: number) => (ms / decisions).toFixed(3);
const others = threadMs.filter(({ tid }) => tid !== child.pid);
console.log(
  `by thread, ms per decision: request thread ${perDecision(threadMs.find(({ tid }) => tid === child.pid)?.ms ?? 0)}; busiest others ${others
    .slice(0, 4)
    .map(({ ms }) => perDecision(ms))
    .join(
      ', ',
    )} (on the embedded store the first is PGlite's thread); all others ${perDecision(others.reduce((sum, { ms }) => sum + ms, 0))}`,
);
console.log(
  `${decisions} decisions, ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}; profile ${total.toFixed(0)} ms, busy in the load window ${(busy / 1_000).toFixed(0)} ms → ${(busy / 1_000 / decisions).toFixed(2)} ms per decision (${join(dir, file)})`,
);
