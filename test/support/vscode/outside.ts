// What a machine outside the Docker hosts sees. The extension host runs in the lab's outside
// namespace, so a connection made here is a connection from outside: the firewall's verdict, not
// the extension's account of it.
import { execFile } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { normalizeSave } from '../cli';
import type { SuiteLab } from './labState';

export type TcpOutcome = 'open' | 'refused' | 'timeout';
/** A probe's verdict: 'timeout' only beside a positive control that answered, else "void (…)". */
export type ProbeVerdict = TcpOutcome | `void (control ${string})`;

/** The host's sshd: the lockdown never touches it, so it shows the path to the host was alive. */
const CONTROL_PORT = 22;

const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'EPERM']);

/**
 * Opens a TCP connection and closes it at once. 'timeout' is no answer within `timeoutMs` (the
 * lockdown drops the SYN); 'refused' an active refusal. Other errors (no route at all: the suite is
 * not in the lab's namespace) reject.
 */
export function tcpConnect(address: string, port: number, timeoutMs = 1500): Promise<TcpOutcome> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const settle = (outcome: TcpOutcome | Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => settle('timeout'), timeoutMs);
    socket.once('connect', () => settle('open'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      settle(error.code !== undefined && REFUSED.has(error.code) ? 'refused' : new Error(`connect ${address}:${port}: ${error.message}`));
    });
  });
}

/**
 * `address:port` → verdict for several probes at once (a timeout costs its full wait). Each probe
 * goes with a connection to the same address's sshd at the same moment: no answer counts as
 * 'timeout' (blocked) only when that control answered.
 */
export async function tcpConnectAll(targets: readonly { address: string; port: number }[], timeoutMs = 1500): Promise<Record<string, ProbeVerdict>> {
  const outcomes = await Promise.all(
    targets.map(async ({ address, port }): Promise<ProbeVerdict> => {
      const [target, control] = await Promise.all([tcpConnect(address, port, timeoutMs), tcpConnect(address, CONTROL_PORT, timeoutMs)]);
      if (target !== 'timeout' || control === 'open') return target;
      return `void (control ${address}:${CONTROL_PORT} ${control})`;
    }),
  );
  return Object.fromEntries(targets.map(({ address, port }, i) => [`${address.includes(':') ? `[${address}]` : address}:${port}`, outcomes[i]!]));
}

function execFileText(file: string, args: readonly string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr: error !== null && stderr === '' ? error.message : stderr });
    });
  });
}

/**
 * iptables-save and ip6tables-save of a host over the lab's ssh (as root), normalised as the lab
 * tests do (no counters, no comment lines, empty ACCEPT-only tables dropped): equal before and
 * after means nothing was changed.
 */
export async function firewallRules(lab: SuiteLab, hostName: string): Promise<string> {
  const parts: string[] = [];
  for (const command of ['iptables-save', 'ip6tables-save']) {
    const result = await execFileText('ssh', ['-F', lab.sshConfig, hostName, command], 20_000);
    if (result.code !== 0) throw new Error(`ssh ${hostName} ${command} exited ${result.code}: ${result.stderr.trim()}`);
    parts.push(`## ${command}`, ...normalizeSave(result.stdout));
  }
  return parts.join('\n');
}

/**
 * Removes any lockdown from the hosts with the command-line tool (dist/cli.js, the same core), so
 * that the suite starts from and leaves open hosts even when the extension under test misbehaves.
 */
export async function unblockWithCli(lab: SuiteLab, repoRoot: string): Promise<void> {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  await Promise.all(
    lab.hosts.map(async (host) => {
      const result = await execFileText(process.execPath, [cli, '--ssh-config', lab.sshConfig, '--known-hosts', lab.knownHosts, 'unblock', host.name], 60_000);
      if (result.code !== 0) throw new Error(`docker-firewall unblock ${host.name} exited ${result.code}: ${result.stderr.trim()}`);
    }),
  );
}
