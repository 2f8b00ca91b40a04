// `otel-audit …` lines of ```sh blocks: split into arguments, checked against
// the real command tree, and sorted into lines the docs test runs and lines it
// only checks (synopses with [optional] or <placeholder> parts, and commands
// that install tools, need the network or a spool directory).
import type { Command } from 'commander';
import type { CodeBlock } from './markdown.js';

export interface CliLine {
  where: string;
  text: string;
  /** The arguments after `otel-audit`. */
  args: string[];
}

/** Splits a command line into words; single and double quotes group. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(pattern)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** Every otel-audit invocation of a shell block, `\` continuations joined, comments and `&&` chains split. */
export function cliLines(block: CodeBlock): CliLine[] {
  const lines: CliLine[] = [];
  const raw = block.code.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const start = i;
    let text = raw[i]!;
    while (text.endsWith('\\') && i + 1 < raw.length) text = text.slice(0, -1) + ' ' + raw[++i]!;
    text = text.replace(/(^|\s)#.*$/, '').trim();
    for (const part of text.split('&&').map((p) => p.trim())) {
      const words = shellWords(part);
      const at = words[0] === 'npx' ? 1 : 0;
      if (words[at] !== 'otel-audit') continue;
      lines.push({ where: `${block.file}:${block.line + start}`, text: part, args: words.slice(at + 1) });
    }
  }
  return lines;
}

const SYNOPSIS = /[[\]<>|]|\.\.\.|…|\$\(|>/;

/** Lines that show a command's shape rather than a command to type. */
export function isSynopsis(line: CliLine): boolean {
  return SYNOPSIS.test(line.text);
}

export interface Resolved {
  /** The subcommand path, e.g. ['collector', 'render']. */
  path: string[];
  /** Problems: unknown commands or options. */
  problems: string[];
  command: Command;
}

function findSub(command: Command, name: string): Command | undefined {
  return command.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

/** Walks the arguments down the command tree and checks every option against the command reached. */
export function resolveCommand(program: Command, args: readonly string[]): Resolved {
  let command = program;
  const path: string[] = [];
  const problems: string[] = [];
  let positional = false;
  for (const raw of args) {
    const arg = raw.replace(/^\[|\]$/g, '');
    if (arg.startsWith('-')) {
      const flag = arg.split('=')[0]!;
      const known = flag === '-h' || flag === '--help' || [command, ...(command === program ? [] : [program])].some((c) => c.options.some((o) => o.long === flag || o.short === flag));
      if (!known) problems.push(`"${path.join(' ') || 'otel-audit'}" has no option ${flag}`);
      continue;
    }
    if (positional) continue;
    const sub = findSub(command, arg);
    if (sub) {
      command = sub;
      path.push(arg);
    } else if (command.commands.length > 0 && command.registeredArguments.length === 0) {
      problems.push(`"otel-audit ${path.join(' ')}" has no command "${arg}"`.replace('otel-audit  ', 'otel-audit '));
      positional = true;
    } else {
      positional = true;
    }
  }
  return { path, problems, command };
}
