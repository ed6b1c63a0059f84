import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly status: number;
}

/** The bank's CRM on loopback: answers what `answer` says, and can go away and come back on the same port. */
export function loopbackCrm() {
  const received: Received[] = [];
  let answer = 500;
  let server: Server | undefined;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      const listening = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status: answer });
          response.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
        });
      });
      server = listening;
      listening.listen(port, '127.0.0.1', () => {
        port = (listening.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = undefined;
    });
  return {
    received,
    start,
    stop,
    answerWith: (status: number) => {
      answer = status;
    },
    url: () => `http://127.0.0.1:${port}/hooks/leads`,
  };
}
