// A webhook receiver for tests: records every POST that arrives (headers and
// body), answers with what `respond` says (an outage, a 429 with Retry-After,
// a 400), and, given the secrets, checks each request's signature the way a
// real receiver must (verifyWebhook).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { verifyWebhook, type VerifyWebhookResult } from '../delivery/webhook/signing.js';

export interface ReceivedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when it arrived. */
  at: number;
  /** The signature check, when the receiver was given `secrets`. */
  verification?: VerifyWebhookResult;
}

export interface WebhookResponder {
  (request: ReceivedRequest): { status: number; headers?: Record<string, string>; body?: string };
}

export interface WebhookReceiverOptions {
  /** 0 (default) = any free port on 127.0.0.1. */
  port?: number;
  /** The answer to each request; default 200. Requests answered with 300 or more are not recorded. */
  respond?: WebhookResponder;
  /** HMAC secrets to verify signatures with; a request that fails is answered 401 and not recorded. */
  secrets?: string[];
}

export interface WebhookReceiver {
  readonly port: number;
  /** http://127.0.0.1:<port>/hook */
  readonly url: string;
  /** Every accepted request, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** Every event received, batches (JSON arrays) flattened. */
  events(): Record<string, unknown>[];
  /** The id of every event received (duplicates included). */
  ids(): string[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const respond: WebhookResponder = options.respond ?? (() => ({ status: 200 }));
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      if (options.secrets) {
        request.verification = verifyWebhook({ headers: req.headers, body: request.body }, { secrets: options.secrets });
        if (!request.verification.ok) {
          res.writeHead(401, { 'content-type': 'text/plain' }).end(request.verification.reason);
          return;
        }
      }
      const answer = respond(request);
      if (answer.status < 300) requests.push(request);
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const events = () => requests.flatMap((r) => {
    const parsed = JSON.parse(r.body) as unknown;
    return (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
  });
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    events,
    ids: () => events().map((e) => String(e.id)),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
