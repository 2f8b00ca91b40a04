// `otel-audit keygen`: the key pair that signs integrity digests (docs/integrity.md).
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, OtelAuditError } from '../../errors.js';
import { generateSigningKey } from '../../integrity/index.js';

/**
 * `otel-audit keygen [name]`: a new Ed25519 key pair for digests, as `<name>.pem`
 * (private, readable by its owner only) and `<name>.pub.pem`. Never overwrites a file:
 * a key that signed digests must not be lost.
 */
export function registerKeygenCommand(program: Command): void {
  program
    .command('keygen')
    .description('make an Ed25519 key pair for signing integrity digests: <name>.pem (private) and <name>.pub.pem (for auditors)')
    .argument('[name]', 'the files\' name, without .pem', 'audit-signing')
    .action((name: string) => {
      if (name.trim() === '') throw new OtelAuditError('OPTION_INVALID', 'keygen: the name must not be empty', { path: 'name' });
      const privateFile = `${name}.pem`;
      const publicFile = `${name}.pub.pem`;
      for (const file of [privateFile, publicFile]) if (existsSync(file)) throw new InputError(`${file} exists: keygen never overwrites a key (a key that signed digests is needed to verify them); choose another name`, { file });
      const key = generateSigningKey();
      // 'wx': created here or not at all, even if a file appeared since the check (a symlink included).
      try {
        writeFileSync(privateFile, key.privateKeyPem, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        throw new InputError(`${privateFile}: ${(error as Error).message}`, { file: privateFile });
      }
      try {
        writeFileSync(publicFile, key.publicKeyPem, { flag: 'wx', mode: 0o644 });
      } catch (error) {
        unlinkSync(privateFile);
        throw new InputError(`${publicFile}: ${(error as Error).message}`, { file: publicFile });
      }
      process.stdout.write(
        [
          `${privateFile}: the private key (key id ${key.keyId}); keep it secret, and give it to the emitter: integrity: { key: 'file:${privateFile}' }`,
          `${publicFile}: the public key; give it to whoever verifies: otel-audit verify <files> --public-key ${publicFile}`,
        ].join('\n') + '\n',
      );
    });
}
