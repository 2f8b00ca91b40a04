// A real Apache Kafka 4.x for the tests: the broker's jars and their runtime
// dependencies fetched from Maven Central with Maven (a generated pom and
// `dependency:copy-dependencies`, about 45 MB, Apache-2.0), cached, and run
// as a single KRaft node (broker and controller in one process) on loopback
// with the machine's Java: the storage tool formats a scratch log folder,
// then kafka.Kafka starts on it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { cacheRoot } from './cache.js';
import type { ProvisionOptions } from './collector-build.js';
import { freeLoopbackPort } from './collector-process.js';
import { ToolUnavailableError } from './errors.js';
import { superviseServer } from './server-process.js';
import { findJavaHome } from './opensearch.js';
import { heartbeat, run } from './run.js';

export const KAFKA_VERSION = '4.1.1';
const COMPLETE_MARKER = '.otel-audit-complete';

/** The Maven project whose runtime dependencies are the broker: Kafka, plus a log4j2 binding for its logs. */
function pom(): string {
  const dependency = (group: string, artifact: string, version: string) => `<dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
  return [
    '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>',
    '<groupId>otel-audit</groupId><artifactId>kafka-server</artifactId><version>1</version><packaging>pom</packaging>',
    '<dependencies>',
    dependency('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION),
    // Kafka's pom names slf4j 1.7; log4j-slf4j2-impl needs the 2.x API.
    dependency('org.slf4j', 'slf4j-api', '2.0.17'),
    dependency('org.apache.logging.log4j', 'log4j-slf4j2-impl', '2.24.3'),
    dependency('org.apache.logging.log4j', 'log4j-core', '2.24.3'),
    '</dependencies></project>',
  ].join('\n');
}

export function kafkaHome(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'kafka', KAFKA_VERSION);
}

/** Fetches the pinned Kafka's jars once; returns the folder holding them. */
export async function provisionKafka(options: ProvisionOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const home = kafkaHome(env);
  const libs = join(home, 'libs');
  if (existsSync(join(home, COMPLETE_MARKER))) {
    log(`[kafka] reusing ${home}`);
    return libs;
  }
  await findJavaHome(env);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'pom.xml'), pom());
  log(`[kafka] fetching org.apache.kafka:kafka_2.13:${KAFKA_VERSION} and its runtime dependencies with Maven (about 45 MB)`);
  const stop = heartbeat('[kafka] download', log);
  const fetched = await run('mvn', ['-q', '-B', '-f', join(home, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libs}`], { env })
    .catch((error: Error) => ({ code: -1, stdout: '', stderr: error.message, signal: null }))
    .finally(stop);
  if (fetched.code !== 0 || !existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    throw new ToolUnavailableError('Kafka', `Maven could not fetch Kafka ${KAFKA_VERSION}:\n${(fetched.stdout + fetched.stderr).slice(-2000)}`, 'install Maven (Debian: `apt-get install maven`) and check that Maven Central is reachable, then run `npm run provision` again');
  }
  writeFileSync(join(home, COMPLETE_MARKER), new Date().toISOString());
  log(`[kafka] Kafka ${KAFKA_VERSION} ready in ${home}`);
  return libs;
}

export interface RunningKafka {
  /** 127.0.0.1:<port>, the bootstrap broker. */
  readonly bootstrap: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts a single-node KRaft Kafka on free loopback ports and waits until its
 * broker port accepts connections. Its logs live in a scratch folder removed
 * by stop(). Topics are auto-created with one partition.
 */
export async function startKafka(options: ProvisionOptions & { heapMb?: number } = {}): Promise<RunningKafka> {
  const env = options.env ?? process.env;
  const libs = await provisionKafka(options);
  const java = join(await findJavaHome(env), 'bin', 'java');
  const scratch = mkdtempSync(join(env.TMPDIR ?? '/tmp', 'otel-audit-kafka-'));
  const [port, controller] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const properties = join(scratch, 'server.properties');
  writeFileSync(properties, [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(scratch, 'data')}`,
    'num.partitions=1',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n'));
  const classpath = `${libs}/*`;
  const heap = `-Xmx${options.heapMb ?? 256}m`;
  // A cluster id is 16 random bytes, base64url without padding. One that starts with '-'
  // would read as an option, so it is passed as --cluster-id=<id>.
  const clusterId = randomBytes(16).toString('base64url');
  const formatted = await run(java, [heap, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '--standalone', `--cluster-id=${clusterId}`, '-c', properties], { env });
  if (formatted.code !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    throw new ToolUnavailableError('Kafka', `the storage tool could not format ${scratch}:\n${(formatted.stdout + formatted.stderr).slice(-3000)}`, 'read the output above (Java 17 or newer is needed)');
  }
  const child: ChildProcess = spawn(java, [heap, '-cp', classpath, 'kafka.Kafka', properties], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const { output, stop } = superviseServer(child, scratch, 10_000);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new ToolUnavailableError('Kafka', `it exited (${child.exitCode}) before accepting connections; its output:\n${output().slice(-3000)}`, 'read the output above (Java version, memory, ports)');
    }
    if (await accepts(port)) return { bootstrap: `127.0.0.1:${port}`, port, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new ToolUnavailableError('Kafka', `its broker did not listen on 127.0.0.1:${port} within 60 s; its output:\n${output().slice(-3000)}`, 'the machine may be overloaded; run the tests again');
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
