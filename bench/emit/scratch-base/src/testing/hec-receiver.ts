// A small Splunk HTTP Event Collector: enough of the documented protocol to
// stand in for Splunk in tests and demos. POST /services/collector or
// /services/collector/event with `Authorization: Splunk <token>` and a body of
// concatenated JSON event objects (gzip allowed); replies {"text":"Success","code":0}.
// stop()/start() simulate an outage on the same port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One HEC event object as sent (`event`, `fields`, `time`, `host`, `source`, `sourcetype`, `index`). */
export interface HecEvent {
  event: unknown;
  fields?: Record<string, unknown>;
  time?: number | string;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  [key: string]: unknown;
}

export interface HecReceiverOptions {
  /** The accepted token(s). */
  token: string | string[];
  host?: string;
  /** 0 = any free port. */
  port?: number;
}

export interface HecReceiver {
  /** e.g. http://127.0.0.1:8088/services/collector */
  readonly url: string;
  readonly port: number;
  /** Every accepted event, in arrival order. */
  readonly events: HecEvent[];
  /** Requests answered, by status code. */
  readonly statusCounts: Map<number, number>;
  readonly running: boolean;
  /** Stops listening (an outage): connections are refused until start(). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Splits a HEC body: JSON objects one after another, optionally separated by whitespace. */
export function parseConcatenatedJson(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new Error(`unexpected } at ${i}`);
    } else if (depth === 0 && !/\s/.test(c!)) {
      throw new Error(`unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  if (depth !== 0) throw new Error('unterminated JSON object');
  return values;
}

function reply(res: ServerResponse, status: number, text: string, code: number, counts: Map<number, number>): void {
  counts.set(status, (counts.get(status) ?? 0) + 1);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ text, code }));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

export async function startHecReceiver(options: HecReceiverOptions): Promise<HecReceiver> {
  const tokens = new Set(Array.isArray(options.token) ? options.token : [options.token]);
  const host = options.host ?? '127.0.0.1';
  const events: HecEvent[] = [];
  const statusCounts = new Map<number, number>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/services/collector/health') return reply(res, 200, 'HEC is healthy', 17, statusCounts);
    if (req.method !== 'POST' || (path !== '/services/collector' && path !== '/services/collector/event')) return reply(res, 404, 'The requested URL was not found on this server.', 404, statusCounts);
    const auth = req.headers.authorization;
    if (!auth) return reply(res, 401, 'Token is required', 2, statusCounts);
    const match = /^Splunk\s+(.+)$/.exec(auth);
    if (!match) return reply(res, 401, 'Invalid authorization', 3, statusCounts);
    if (!tokens.has(match[1]!.trim())) return reply(res, 403, 'Invalid token', 4, statusCounts);
    let parsed: unknown[];
    try {
      parsed = parseConcatenatedJson((await readBody(req)).toString('utf8'));
    } catch {
      return reply(res, 400, 'Invalid data format', 6, statusCounts);
    }
    if (parsed.length === 0) return reply(res, 400, 'No data', 5, statusCounts);
    for (const [i, item] of parsed.entries()) {
      const e = item as HecEvent;
      if (e.event === undefined || e.event === null || e.event === '') return reply(res, 400, `Event field is required (event ${i})`, 12, statusCounts);
    }
    events.push(...(parsed as HecEvent[]));
    return reply(res, 200, 'Success', 0, statusCounts);
  };

  let server: Server | undefined;
  let port = options.port ?? 0;
  const listen = () => new Promise<void>((resolve, reject) => {
    const s = createServer((req, res) => {
      handle(req, res).catch(() => reply(res, 500, 'Internal server error', 8, statusCounts));
    });
    s.keepAliveTimeout = 1000;
    s.once('error', reject);
    s.listen(port, host, () => {
      const address = s.address();
      if (typeof address === 'object' && address) port = address.port;
      server = s;
      resolve();
    });
  });
  const close = () => new Promise<void>((resolve) => {
    const s = server;
    server = undefined;
    if (!s) return resolve();
    s.close(() => resolve());
    s.closeAllConnections();
  });

  await listen();
  return {
    get url() { return `http://${host}:${port}/services/collector`; },
    get port() { return port; },
    events,
    statusCounts,
    get running() { return server !== undefined; },
    stop: close,
    start: async () => { if (!server) await listen(); },
    close,
  };
}
