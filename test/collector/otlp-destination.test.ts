// The `otlp` destination at run time: secrets from the environment land in a
// header, in the bearer token of the bearertokenauth extension, and in the URL.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollectorConfig } from '../../src/collector/index.js';
import { withDefaults } from '../../src/collector/spec.js';
import { startCollector, type RunningCollector } from '../harness/collector.js';
import { postEvents, waitFor } from './otlp.js';

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

describe('an otlp destination over HTTP', () => {
  const seen: Seen[] = [];
  let server: Server;
  let port = 0;
  let collector: RunningCollector;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    collector = await startCollector((ports, workDir) => buildCollectorConfig(withDefaults({
      domain: 'acme.audit',
      collector: {
        receiver: { bind: '127.0.0.1', grpcPort: ports.otlpGrpc, httpPort: ports.otlpHttp },
        healthCheck: { bind: '127.0.0.1', port: ports.health },
        queue: { directory: `${workDir}/queue` },
        batch: { timeout: '50ms' },
        telemetry: { metricsLevel: 'none' },
      },
      destinations: [{
        name: 'vendor',
        type: 'otlp',
        protocol: 'http',
        endpoint: `http://127.0.0.1:${port}/\${env:VENDOR_TENANT}`,
        headers: { 'x-api-key': '${env:VENDOR_API_KEY}' },
        bearerToken: '${env:VENDOR_TOKEN}',
      }],
    })).config, { env: { VENDOR_TENANT: 'tenant-42', VENDOR_API_KEY: 'key-from-env', VENDOR_TOKEN: 'token-from-env' } });
    await postEvents(collector.ports.otlpHttp, [{ id: 'o1', name: 'repo.fork', domain: 'acme.audit' }]);
    await waitFor(() => (seen.length > 0 ? true : undefined), 15_000, 'a request at the OTLP server');
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('puts the environment values into the URL, the header and the Authorization header', () => {
    const request = seen[0]!;
    expect(request.path).toBe('/tenant-42/v1/logs');
    expect(request.headers['x-api-key']).toBe('key-from-env');
    expect(request.headers.authorization).toBe('Bearer token-from-env');
  });
});
