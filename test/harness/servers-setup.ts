// vitest globalSetup of the `servers` project (test/servers/): starts the real
// servers the destinations are tested against, once per run, in parallel, and
// hands their URLs to the test files through `provide` / `inject`
// (test/harness/servers.ts). Only runs when a file of test/servers/ is part of
// the run, so `vitest run test/collector/...` does not pay for them.
//   OpenSearch 2.19 (Maven Central integ-test zip, 512 MB heap), src/tools/opensearch.ts
//   moto's server (S3, CloudWatch Logs), src/tools/moto.ts
//   Kafka 4.1 in KRaft mode (Maven Central jars, 256 MB heap, about 5 s), src/tools/kafka.ts
// A server that cannot be had fails the run with how to get it; none is skipped.
import type { TestProject } from 'vitest/node';
import { KAFKA_VERSION, startKafka, type RunningKafka } from '../../src/tools/kafka.js';
import { motoVersion, startMoto, type RunningMoto } from '../../src/tools/moto.js';
import { OPENSEARCH_VERSION, startOpenSearch, type RunningOpenSearch } from '../../src/tools/opensearch.js';
import type { TestServers } from './servers.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const [openSearch, moto, kafkaStarted] = await Promise.allSettled([startOpenSearch({ log, heapMb: 512 }), startMoto({ log }), startKafka({ log })]);
  if (openSearch.status === 'rejected' || moto.status === 'rejected' || kafkaStarted.status === 'rejected') {
    // Stop the ones that did start; report every failure with how to fix it.
    if (openSearch.status === 'fulfilled') await openSearch.value.stop();
    if (moto.status === 'fulfilled') await moto.value.stop();
    if (kafkaStarted.status === 'fulfilled') await kafkaStarted.value.stop();
    const reasons = [openSearch, moto, kafkaStarted].flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    throw new Error(`the test servers could not be started:\n${reasons.join('\n\n')}`);
  }
  const os: RunningOpenSearch = openSearch.value;
  const aws: RunningMoto = moto.value;
  const kafka: RunningKafka = kafkaStarted.value;
  const servers: TestServers = {
    openSearch: { url: os.url, version: OPENSEARCH_VERSION },
    moto: { url: aws.url, version: motoVersion() },
    kafka: { bootstrap: kafka.bootstrap, version: KAFKA_VERSION },
  };
  project.provide('servers', servers);
  log(`[servers] OpenSearch ${OPENSEARCH_VERSION} at ${os.url}, moto ${motoVersion()} at ${aws.url}, Kafka ${KAFKA_VERSION} at ${kafka.bootstrap} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return async () => {
    await Promise.all([os.stop(), aws.stop(), kafka.stop()]);
  };
}
