// An OTLP/HTTP logs receiver for tests: POST /v1/logs with OTLP/JSON or
// OTLP/protobuf (gzip allowed), as the emitter and the collector's otlphttp
// exporter send. It records every log record decoded to plain values, and
// answers what `respond` says, so a test can play an outage or a refusal.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { decodeLogsRequest, type DecodedLogRecord, type OtlpLogsRequest } from '../event/otlp-json.js';
import { decodeLogsRequestProto } from '../event/otlp-proto.js';

export interface OtlpRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** 'json' or 'protobuf', from the content type. */
  encoding: 'json' | 'protobuf';
  records: DecodedLogRecord[];
}

export interface OtlpReceiverOptions {
  /** 0 (default) = any free port on 127.0.0.1. */
  port?: number;
  /** The status to answer a request with; default 200. Requests answered with 300 or more are not recorded. */
  respond?: (request: OtlpRequest) => number;
}

export interface OtlpReceiver {
  readonly port: number;
  /** http://127.0.0.1:<port> (the exporter appends /v1/logs). */
  readonly endpoint: string;
  /** Every accepted log record, in arrival order. */
  readonly records: DecodedLogRecord[];
  /** Every accepted request. */
  readonly requests: OtlpRequest[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const records: DecodedLogRecord[] = [];
  const requests: OtlpRequest[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/v1/logs')) {
      res.writeHead(404).end();
      return;
    }
    const protobuf = (req.headers['content-type'] ?? '').includes('protobuf');
    let request: OtlpRequest;
    try {
      const body = await readBody(req);
      const decoded: OtlpLogsRequest = protobuf ? decodeLogsRequestProto(body, 'request') : (JSON.parse(body.toString('utf8')) as OtlpLogsRequest);
      request = { path: req.url ?? '', headers: req.headers, encoding: protobuf ? 'protobuf' : 'json', records: decodeLogsRequest(decoded) };
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end((error as Error).message);
      return;
    }
    const status = options.respond?.(request) ?? 200;
    if (status < 300) {
      requests.push(request);
      records.push(...request.records);
    }
    // An empty ExportLogsServiceResponse: `{}` in JSON, zero bytes in protobuf.
    res.writeHead(status, { 'content-type': protobuf ? 'application/x-protobuf' : 'application/json' }).end(protobuf ? '' : '{}');
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    records,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
