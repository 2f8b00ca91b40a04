// What the `servers` project's globalSetup (servers-setup.ts) started, for the
// test files of test/servers/.
import { inject } from 'vitest';

export interface TestServers {
  openSearch: { url: string; version: string };
  moto: { url: string; version: string };
  kafka: { bootstrap: string; version: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    servers: TestServers;
  }
}

/** The shared servers; fails clearly when the file runs outside the `servers` project. */
export function testServers(): TestServers {
  const servers = inject('servers');
  if (!servers) throw new Error('no test servers: this file must run in the vitest project "servers" (test/servers/), whose globalSetup starts them');
  return servers;
}
