import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Stack {
  readonly apiUrl: string;
  readonly netbankUrl: string;
  readonly mobileUrl: string;
  readonly dataDir: string;
  /** Everything the demo printed, for failure messages. */
  output(): string;
  /** Stops the demo gracefully (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Removes the data folder. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the demo exactly as the README's start command does after building: `node scripts/start.mjs`. */
export async function startStack(): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-e2e-'));
  const [apiPort, netbankPort, mobilePort] = [await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT,
    env: {
      ...process.env,
      API_PORT: String(apiPort),
      NETBANK_PORT: String(netbankPort),
      MOBILE_PORT: String(mobilePort),
      TOUCHPOINT_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start in time:\n${output}`)), 240_000);
    const check = () => {
      if (output.includes('Touchpoint demo is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}:\n${output}`));
    });
  });

  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    netbankUrl: `http://127.0.0.1:${netbankPort}`,
    mobileUrl: `http://127.0.0.1:${mobilePort}`,
    dataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    dispose: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
