// Runs the real collector for the demo: a rendered config in a scratch folder,
// loopback ports, a wait until its health_check answers, and a clean stop that
// leaves the collector's log beside the config.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort, startCollectorProcess } from '../tools/collector-process.js';

export { freeLoopbackPort };

export interface DemoCollector {
  configFile: string;
  logFile: string;
  logs(): string;
  stop(): Promise<void>;
}

/** Writes `yaml` to `<dir>/collector.yaml`, starts `binary` on it and waits until healthy. */
export async function startDemoCollector(binary: string, yaml: string, dir: string, healthPort: number, env: Record<string, string>, timeoutMillis = 30_000): Promise<DemoCollector> {
  const configFile = join(dir, 'collector.yaml');
  const logFile = join(dir, 'collector.log');
  writeFileSync(configFile, yaml);
  let collector;
  try {
    collector = await startCollectorProcess({ binary, configFile, healthPort, env, timeoutMillis });
  } catch (error) {
    writeFileSync(logFile, (error as Error).message);
    throw error;
  }
  const running = collector;
  return {
    configFile,
    logFile,
    logs: () => running.logs(),
    stop: async () => {
      await running.stop();
      writeFileSync(logFile, running.logs());
    },
  };
}
