import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHost, type HostConnection } from '../../src/core/hosts/openHost';
import { labHost, REPO_ROOT, run, type Lab, type LabHost, type RunResult } from '../../test/support/lab';

/**
 * The benchmark's own lab, named anew for each run (DFW_BENCH_LAB, set here for the measuring
 * process it starts): two runs on one machine, or other engineers' labs, cannot collide with it.
 */
export const BENCH_LAB = (process.env.DFW_BENCH_LAB ??= `bench${randomBytes(3).toString('hex')}`);
/** The CLI measured: the bundle `npm run build` wrote, or another build to compare (DFW_BENCH_CLI). */
export const BENCH_CLI = process.env.DFW_BENCH_CLI ?? join(REPO_ROOT, 'dist/cli.js');
export const BENCH_HOSTS = 10;
/** The fleet section's hosts (issue 17): the lab has this many when that section is measured. */
export const FLEET_HOSTS = 50;
export const BENCH_EXTRA_CONTAINERS = 50;

/** `lab.sh up` arguments: h1 gets the 50 extra containers, every host the lab's five; 50 hosts when the fleet is measured, else 10. */
export function benchLabUp(fleet: boolean): string[] {
  return ['up', '--hosts', String(fleet ? FLEET_HOSTS : BENCH_HOSTS), '--docker', '20', '--extra-containers', String(BENCH_EXTRA_CONTAINERS)];
}

/** Opens one of our host handles on a lab host, as the CLI would with `--ssh-config`. */
export function openLabHost(lab: Lab, name: string): HostConnection {
  return openHost({ destination: name, sshConfigPath: lab.sshConfig, label: name });
}

export function sshdLogPath(lab: Lab, host: string): string {
  return join(lab.labDir, 'hosts', host, 'logs', 'sshd.log');
}

/**
 * Logins sshd has accepted on a host so far: the count of "Accepted publickey" lines in its log.
 * Differences of this count measure what a client really opened, whatever it says about itself.
 */
export function acceptedLogins(lab: Lab, host: string): number {
  const path = sshdLogPath(lab, host);
  if (!existsSync(path)) return 0;
  let count = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) if (line.startsWith('Accepted publickey for ')) count++;
  return count;
}

export function acceptedLoginsOn(lab: Lab, hosts: readonly string[]): number {
  return hosts.reduce((sum, h) => sum + acceptedLogins(lab, h), 0);
}

/** Counts logins that a piece of work caused on the given hosts. */
export async function countLogins<T>(lab: Lab, hosts: readonly string[], work: () => Promise<T>): Promise<{ value: T; logins: number }> {
  const before = acceptedLoginsOn(lab, hosts);
  const value = await work();
  return { value, logins: acceptedLoginsOn(lab, hosts) - before };
}

/**
 * What the docker CLI needs to reach lab hosts over `ssh://`: it runs plain `ssh` from PATH, and
 * OpenSSH reads ~/.ssh from the passwd entry rather than $HOME, so a wrapper named `ssh` first on
 * PATH adds `-F <the lab's ssh_config>` (its keys, known_hosts and strict checking). DOCKER_CONFIG
 * points at an empty folder so that no context or setting of this machine's user is used.
 */
export class DockerCliEnv {
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;

  constructor(lab: Lab) {
    this.dir = mkdtempSync(join(tmpdir(), 'dfwb-docker-cli-'));
    const bin = join(this.dir, 'bin');
    mkdirSync(bin);
    mkdirSync(join(this.dir, 'docker-config'));
    const wrapper = join(bin, 'ssh');
    writeFileSync(wrapper, `#!/bin/sh\nexec /usr/bin/ssh -F '${lab.sshConfig.replace(/'/g, `'\\''`)}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    // Also when the process is stopped by a signal (measure.ts exits on SIGINT and SIGTERM).
    process.once('exit', () => this.dispose());
    this.env = {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      DOCKER_CONFIG: join(this.dir, 'docker-config'),
      DOCKER_HOST: '',
      DOCKER_CONTEXT: '',
    };
  }

  /** `docker -H ssh://HOST ps --all`, checked. */
  async ps(host: string): Promise<RunResult> {
    const result = await run(['docker', '-H', `ssh://${host}`, 'ps', '--all'], { env: this.env, timeoutMs: 30_000 });
    if (result.code !== 0) throw new Error(`docker -H ssh://${host} ps failed (${String(result.code)}): ${result.stderr.trim()}`);
    return result;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `ssh -F <lab config> HOST ARGV…`, as a shell script of the 2017 era would send each command. */
export async function sshRun(lab: Lab, host: string, argv: readonly string[]): Promise<RunResult> {
  const result = await run(['ssh', '-F', lab.sshConfig, host, '--', ...argv], { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`ssh ${host} ${argv.join(' ')} failed (${String(result.code)}): ${result.stderr.trim()}`);
  return result;
}

export function hostNamed(lab: Lab, name: string): LabHost {
  return labHost(lab, name);
}

/** h1..hN. */
export function firstHosts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `h${i + 1}`);
}
