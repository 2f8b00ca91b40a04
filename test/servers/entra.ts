// A local stand-in for Microsoft Entra ID, for the collector's azureauth
// extension (azidentity v1.13 + MSAL Go v1.5). MSAL always asks the public
// cloud for instance discovery (login.microsoftonline.com/common/discovery/instance)
// unless the authority host is one it trusts, so pointing AZURE_AUTHORITY_HOST
// at 127.0.0.1 does not keep it local. Instead the collector gets
// HTTPS_PROXY=<this proxy> (azcore's transport honours it) and SSL_CERT_FILE=<a
// throwaway CA>: every CONNECT is tunnelled to a local HTTPS server whose
// certificate, signed by that CA, names login.microsoftonline.com. The server
// answers instance discovery, the tenant's openid-configuration and the v2.0
// token endpoint, and records every request.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ENTRA_HOST = 'login.microsoftonline.com';

export interface EntraRequest {
  method: string;
  path: string;
  /** The form fields of a token request. */
  form: Record<string, string>;
}

export interface FakeEntra {
  /** HTTPS_PROXY for the collector. */
  proxyUrl: string;
  /** SSL_CERT_FILE for the collector: the throwaway CA, the only root it then trusts. */
  caFile: string;
  /** host:port of every CONNECT the proxy got. */
  connects: string[];
  requests: EntraRequest[];
  close(): Promise<void>;
}

/** A CA and a certificate for login.microsoftonline.com signed by it, made with openssl in a scratch folder. */
function certificates(): { caFile: string; key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'otel-audit-entra-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => {
    try {
      return execFileSync('openssl', args, { stdio: 'pipe' });
    } catch (error) {
      // A missing tool fails the run saying how to get it, never a silent skip.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the Sentinel identity tests make a throwaway CA with the openssl command, which is not installed: apt-get install openssl (Debian/Ubuntu) or brew install openssl', { cause: error });
      throw error;
    }
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=otel-audit test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${ENTRA_HOST}`, '-keyout', file('entra.key'), '-out', file('entra.csr'));
  writeFileSync(file('san.ext'), `subjectAltName=DNS:${ENTRA_HOST}\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', file('entra.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file('san.ext'), '-out', file('entra.pem'));
  return { caFile: file('ca.pem'), key: readFileSync(file('entra.key')), cert: readFileSync(file('entra.pem')) };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** `token(form)` gives the access token for a token request (its form fields), or undefined to refuse it with 401. */
export async function startFakeEntra(token: (form: Record<string, string>) => string | undefined): Promise<FakeEntra> {
  const { caFile, key, cert } = certificates();
  const requests: EntraRequest[] = [];
  const connects: string[] = [];
  const base = `https://${ENTRA_HOST}`;
  const https = createHttpsServer({ key, cert }, (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, form });
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const tenant = url.pathname.split('/')[1] ?? '';
      if (url.pathname === '/common/discovery/instance') {
        const authorize = new URL(url.searchParams.get('authorization_endpoint') ?? '');
        const tenantOf = authorize.pathname.split('/')[1];
        return json(200, {
          tenant_discovery_endpoint: `${base}/${tenantOf}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: ENTRA_HOST, preferred_cache: 'login.windows.net', aliases: [ENTRA_HOST, 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] }],
        });
      }
      if (url.pathname.endsWith('/v2.0/.well-known/openid-configuration')) {
        return json(200, {
          issuer: `${base}/${tenant}/v2.0`,
          authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        });
      }
      if (url.pathname.endsWith('/oauth2/v2.0/token') && req.method === 'POST') {
        const access = token(form);
        if (access === undefined) return json(401, { error: 'invalid_client', error_description: 'refused by the test' });
        return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: access });
      }
      return json(404, { error: 'not_found' });
    });
  });
  const httpsPort = await listen(https);
  // The proxy tunnels every CONNECT to the HTTPS server, whatever host it names.
  const proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  const tunnels = new Set<{ destroy(): void }>();
  proxy.on('connect', (req: IncomingMessage, socket, head: Buffer) => {
    connects.push(req.url ?? '');
    tunnels.add(socket);
    const upstream = connect(httpsPort, '127.0.0.1', () => {
      tunnels.add(upstream);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', end);
    socket.on('error', end);
  });
  const proxyPort = await listen(proxy);
  const close = (server: Server) => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    caFile,
    connects,
    requests,
    close: async () => {
      // A tunnel's sockets belong to no server any more: end them here.
      for (const socket of tunnels) socket.destroy();
      await Promise.all([close(proxy), close(https)]);
    },
  };
}
