// The CLI is the first thing a newcomer runs: every command must explain itself.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { packageRoot } from '../../src/package-root.js';

function allCommands(command: Command, path: string[] = []): { path: string; command: Command }[] {
  return command.commands.flatMap((child) => {
    const childPath = [...path, child.name()];
    return [{ path: childPath.join(' '), command: child }, ...allCommands(child, childPath)];
  });
}

describe('otel-audit CLI', () => {
  const root = packageRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const bin = join(root, 'dist', 'cli', 'main.js');

  it('prints its version with --version (the built binary)', () => {
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
  });

  it('has a description and --help on every command', () => {
    const commands = allCommands(buildProgram());
    expect(commands.length).toBeGreaterThan(3);
    for (const { path, command } of commands) {
      expect(command.description(), `"otel-audit ${path}" needs a description`).not.toBe('');
      const help = execFileSync(process.execPath, [bin, ...path.split(' '), '--help'], { encoding: 'utf8' });
      expect(help).toContain(`Usage: otel-audit ${path}`);
    }
  });

  it('rejects an unknown command with a non-zero exit and a suggestion', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [bin, 'colector'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).not.toBe(0);
    expect(failure?.stderr).toMatch(/collector/);
  });
});
