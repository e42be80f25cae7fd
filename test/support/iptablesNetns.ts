import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { CommandRunner, ExecResult } from '../../src/core/remote/remoteCommand';

/**
 * A throwaway network namespace with real iptables and the skeleton Docker leaves in the filter
 * table (DOCKER, DOCKER-USER, FORWARD → DOCKER-USER), but no Docker: enough to run the engine's
 * remote commands for real, fast, without the lab.
 */
export interface IptablesNamespace {
  readonly name: string;
  /** Runs argv inside the namespace; counts every command. */
  readonly runner: CommandRunner & { readonly calls: (readonly string[])[] };
  run(argv: readonly string[]): string;
  remove(): void;
}

export function makeIptablesNamespace(variant: 'nft' | 'legacy', prefix = 'dfw-ipt'): IptablesNamespace {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  const run = (argv: readonly string[]) => execFileSync('ip', ['netns', 'exec', name, ...argv]).toString();
  for (const bin of [`iptables-${variant}`, `ip6tables-${variant}`]) {
    run([bin, '-N', 'DOCKER-USER']);
    run([bin, '-N', 'DOCKER']);
    run([bin, '-A', 'FORWARD', '-j', 'DOCKER-USER']);
    run([bin, '-A', 'DOCKER-USER', '-j', 'RETURN']);
  }
  const calls: (readonly string[])[] = [];
  const runner = {
    calls,
    exec(argv: readonly string[], options?: { stdin?: string | undefined }): Promise<ExecResult> {
      calls.push(argv);
      const result = spawnSync('ip', ['netns', 'exec', name, ...argv], { encoding: 'utf8', input: options?.stdin ?? '' });
      return Promise.resolve({ stdout: result.stdout, stderr: result.stderr, code: result.status });
    },
  };
  return { name, runner, run, remove: () => execFileSync('ip', ['netns', 'del', name]) };
}
