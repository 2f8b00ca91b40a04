// A small recording HTTP server (plain node:http) for the destinations whose
// real service cannot run here (Datadog, Azure): it records every request,
// gunzips the body, and answers with what the documented intake answers.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as sent (possibly compressed). */
  raw: Buffer;
  /** The body after Content-Encoding is undone. */
  body: Buffer;
}

export interface RecordingServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** `answer` gives status and body for a request (default 202, `{}`). */
export async function startRecordingServer(answer: (req: Recorded) => { status: number; body?: string; contentType?: string } = () => ({ status: 202, body: '{}' })): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      const body = encoding === 'gzip' ? gunzipSync(raw) : encoding === 'deflate' ? inflateSync(raw) : raw;
      const recorded: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body };
      requests.push(recorded);
      const reply = answer(recorded);
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' }).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
