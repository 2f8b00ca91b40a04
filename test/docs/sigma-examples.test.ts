// docs/sigma.md shows a few rules converted for every target. They must be
// what the real sigma-cli makes of the current rules and pipelines.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTargets } from '../../src/sigma/convert.js';
import { convertedExamples, currentExamples, sigmaDocPath } from './sigma-examples.js';

const REGENERATE = 'run `npx tsx test/docs/sigma-examples.ts --write` to refresh the converted examples in docs/sigma.md';

describe('the converted examples in docs/sigma.md', () => {
  const page = readFileSync(sigmaDocPath(), 'utf8');

  it('cover every target of sigma/pipelines/targets.yaml', () => {
    const section = currentExamples(page);
    expect(section, REGENERATE).toBeDefined();
    for (const target of Object.keys(loadTargets())) expect(section).toContain(`#### \`${target}\``);
  });

  it('are what sigma-cli converts today', async () => {
    expect(currentExamples(page), REGENERATE).toBe(await convertedExamples());
  }, 120_000);
});
