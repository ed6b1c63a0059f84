import http from 'node:http';

export interface OpenLoopOptions {
  readonly url: string;
  readonly path: string;
  /** POST by default, with the body `request` gives; GET sends no body. */
  readonly method?: 'GET' | 'POST';
  /** Requests per second, sent evenly spaced whatever the answers. */
  readonly rate: number;
  readonly seconds: number;
  readonly request: () => { readonly headers: Record<string, string>; readonly body: string };
}

export interface OpenLoopResult {
  readonly sent: number;
  /** Answered with 2xx per second of the run. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Error answers, connection errors and requests unanswered within 10 s. */
  readonly failed: number;
  /** Of those, the answers 503 (requests the server shed). */
  readonly shed: number;
}

/**
 * A constant arrival rate, as wrk2 sends it: request i is due at start + i / rate and goes out then (on a new
 * keep-alive connection when every open one is busy), and its latency counts from when it was due, so a server (or a
 * generator) falling behind shows in the latency instead of slowing the arrivals down (coordinated omission).
 *
 * autocannon's `overallRate` is not that: it sends each second's quota back to back as fast as the server answers and
 * then waits for the next second, so every second starts with a burst at full concurrency.
 */
export async function openLoop({
  url,
  path,
  method = 'POST',
  rate,
  seconds,
  request,
}: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const interval = 1000 / rate;
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  let shed = 0;
  let sent = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let settled = 0;
    const settle = () => {
      settled += 1;
      if (settled === total) resolve();
    };
    const send = (due: number) => {
      const { headers, body } = request();
      let done = false;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        if (ok) latencies.push(performance.now() - due);
        else failed += 1;
        settle();
      };
      const outgoing = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method,
          path,
          headers: method === 'POST' ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers,
        },
        (response) => {
          if (response.statusCode === 503) shed += 1;
          response.resume();
          response.on('end', () => finish((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300));
          response.on('error', () => finish(false));
        },
      );
      outgoing.setTimeout(10_000, () => outgoing.destroy(new Error('timeout')));
      outgoing.on('error', () => finish(false));
      outgoing.end(method === 'POST' ? body : undefined);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        send(start + sent * interval);
        sent += 1;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    sent,
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies.at(-1) ?? Number.NaN,
    failed,
    shed,
  };
}
