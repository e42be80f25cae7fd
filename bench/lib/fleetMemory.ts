import { readdirSync, readFileSync } from 'node:fs';
import type { Lab } from '../../test/support/lab';
import { acceptedLogins } from './benchLab';
import { withFreshWorkbench } from './benchWorkbench';

export interface ExtensionHostMemory {
  readonly hosts: number;
  /** The extension host's resident memory once the workbench is up, before our view is opened. */
  readonly beforeMiB: number;
  /** The same once every host shown has been read (each host's sshd logged a login) and the view settled. */
  readonly shownMiB: number;
  /** How long from opening the view until the last host had logged in. */
  readonly allReadMs: number;
}

/** Resident memory of a process, from /proc (VmRSS, kB). */
function rssMiB(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

/** The extension host of a code-server started with process group `group`: the process whose arguments say `--type=extensionHost`. */
function extensionHostPid(group: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state, ppid, pgrp, …
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== group) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes('--type=extensionHost')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The extension host's memory in a real code-server with `hosts` in dockerFirewall.hosts: read once
 * the workbench is up, and again once the Hosts view is open and every host has been read (each
 * host's sshd logged a new login) and a few seconds have passed for the tree to settle. The same
 * steps with one host and with many give the memory each further host costs.
 */
export async function extensionHostMemory(lab: Lab, hosts: readonly string[], settleMs = 5000): Promise<ExtensionHostMemory> {
  return withFreshWorkbench(lab, hosts, 'memory', async (wb, server) => {
    const pid = await until('the extension host', 60_000, () => extensionHostPid(server.pid));
    // The workbench's own start-up (built-in extensions activating) settles first.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const beforeMiB = rssMiB(pid);
    const logins = hosts.map((h) => acceptedLogins(lab, h));
    const opened = Date.now();
    await wb.openViewContainer('Docker Firewall');
    await until(`every one of ${hosts.length} hosts read`, 180_000, () => (hosts.every((h, i) => acceptedLogins(lab, h) > logins[i]!) ? true : undefined));
    const allReadMs = Date.now() - opened;
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { hosts: hosts.length, beforeMiB, shownMiB: rssMiB(pid), allReadMs };
  });
}
