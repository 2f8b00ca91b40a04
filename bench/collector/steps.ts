// What each step of the default rendered config costs: the same workload as
// bench:collector against the minimal config, the rendered one, and the
// rendered one with one step left out at a time, on the same collector binary.
// Prints the collector's CPU time per variant, summed over the rounds, as
// minimal / variant (1.00 = as cheap as OTLP → file). Writes no report.
//   npx tsx bench/collector/steps.ts            (STEPS_ROUNDS=3, STEPS=minimal,rendered,…)
import { minimalFileConfig } from '../../test/harness/collector.js';
import { renderedConfig, requestBodies, runCollector } from './workload.js';

interface Pipeline {
  receivers: string[];
  processors: string[];
  exporters: string[];
}
type Config = Record<string, unknown> & { connectors?: Record<string, unknown>; service: { pipelines: Record<string, Pipeline> } };

/** Each variant changes the default rendered config (one file destination, trustEmitter: true); undefined: the minimal config. */
const VARIANTS: Record<string, (config: Config) => Config | undefined> = {
  minimal: () => undefined,
  rendered: (config) => config,
  'without memory_limiter': (config) => {
    config.service.pipelines.logs!.processors = config.service.pipelines.logs!.processors.filter((id) => id !== 'memory_limiter');
    return config;
  },
  'without domain filter': (config) => {
    config.service.pipelines.logs!.processors = config.service.pipelines.logs!.processors.filter((id) => id !== 'filter/audit-domain');
    return config;
  },
  // Marked and unmarked records alike straight to the exporter: what the split on the mark costs (not a safe config).
  'without routing': (config) => {
    config.service.pipelines.logs!.exporters = ['file/archive'];
    for (const id of ['logs/archive', 'logs/redact']) delete config.service.pipelines[id];
    delete config.connectors;
    return config;
  },
};

const names = process.env.STEPS ? process.env.STEPS.split(',') : Object.keys(VARIANTS);
for (const name of names) if (!VARIANTS[name]) throw new Error(`unknown variant "${name}" (${Object.keys(VARIANTS).join(', ')})`);
if (!names.includes('minimal')) names.unshift('minimal');
const rounds = Number(process.env.STEPS_ROUNDS ?? 3);
const bodies = requestBodies();
const cpu = new Map<string, number[]>(names.map((name) => [name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const name of names) {
    const result = await runCollector((ports, workDir, output) => VARIANTS[name]!(renderedConfig(ports, workDir, output, true) as Config) ?? minimalFileConfig(ports, output), bodies);
    cpu.get(name)!.push(result.cpuSeconds);
    console.log(`round ${round} ${name}: ${Math.round(result.eventsPerSecond)} events/s, collector CPU ${result.cpuSeconds.toFixed(2)} s`);
  }
}
const total = (name: string) => cpu.get(name)!.reduce((sum, seconds) => sum + seconds, 0);
for (const name of names) {
  console.log(`${name.padEnd(24)} CPU ${total(name).toFixed(2)} s, minimal / this ${(total('minimal') / total(name)).toFixed(2)} (rounds: ${cpu.get(name)!.map((s) => s.toFixed(2)).join(' ')})`);
}
