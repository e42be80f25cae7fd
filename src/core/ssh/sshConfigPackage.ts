/**
 * The ssh-config package, loaded with require. Its type declarations sit next to an ESM build, so
 * TypeScript (module Node16, our files being CommonJS) refuses a plain import of it; its CommonJS
 * build is what runs, and a literal require() is also what esbuild bundles.
 */
import type * as SshConfigModule from 'ssh-config' with { 'resolution-mode': 'import' };

export type SshConfig = SshConfigModule.SSHConfig;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const sshConfigModule = require('ssh-config') as typeof SshConfigModule;

export function parseSshConfig(text: string): SshConfig {
  return sshConfigModule.parse(text);
}
