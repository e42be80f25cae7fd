import { existsSync } from 'node:fs';
import { onHost, type Lab } from '../../test/support/lab';
import { composedHost } from './noDelay';
import { median, retryingLostExit, timed } from './stats';

/**
 * The lab's hosts share this machine's /root, and its ~/.bashrc runs `pyenv init -` and more. sshd
 * runs every remote command through root's shell, and bash reads ~/.bashrc when sshd starts it: on
 * this machine every SSH exec (ours, the docker CLI's dial-stdio, each `ssh HOST iptables`) pays for
 * a dozen processes before the command runs. A Docker host does not usually carry a developer's
 * shell setup, so inside the benchmark lab's hosts only (their own mount namespaces, gone with the
 * lab) Debian's stock root .bashrc is bind-mounted over it. Nothing changes outside those namespaces.
 */
export const STOCK_BASHRC = '/usr/share/base-files/dot.bashrc';
const ROOT_BASHRC = '/root/.bashrc';

async function isMasked(lab: Lab, host: string): Promise<boolean> {
  const result = await onHost(host, ['findmnt', '--noheadings', '--mountpoint', ROOT_BASHRC], { lab });
  return result.code === 0 && result.stdout.trim() !== '';
}

export async function useStockShell(lab: Lab): Promise<boolean> {
  if (!existsSync(STOCK_BASHRC) || !existsSync(ROOT_BASHRC)) return false;
  for (const host of lab.hosts) {
    if (await isMasked(lab, host.name)) continue;
    const result = await onHost(host, ['mount', '--bind', '-o', 'ro', STOCK_BASHRC, ROOT_BASHRC], { lab });
    if (result.code !== 0) throw new Error(`${host.name}: could not mask ${ROOT_BASHRC}: ${result.stderr.trim()}`);
  }
  return true;
}

export async function restoreShell(lab: Lab): Promise<void> {
  for (const host of lab.hosts) {
    if (await isMasked(lab, host.name)) await onHost(host, ['umount', ROOT_BASHRC], { lab });
  }
}

/**
 * Median time of `true` run over an open connection: the cost of one SSH exec round trip. With
 * TCP_NODELAY, so that Nagle's stall (see noDelay.ts) does not hide the shell's own cost.
 */
export async function execRoundTrip(lab: Lab, host: string, runs = 10): Promise<number> {
  const { session } = await composedHost(lab, host, true);
  try {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push((await timed(() => retryingLostExit(() => session.exec(['true'])))).ms);
    return median(samples);
  } finally {
    session.close();
  }
}
