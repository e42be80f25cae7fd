// Whole-process-group shutdown. code-server forks a server, an extension host, a pty host and file
// watchers; killing only the process we spawned leaves the extension host running for hours.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Live (not zombie) members of process group `pgid`, read from /proc. A plain `kill(-pgid, 0)` is
 * not enough: orphaned members that exited stay zombies until PID 1 reaps them, and in a container
 * PID 1 may never do that.
 */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(entry));
  }
  return members;
}

/** Sends `signal` to every process in group `pgid`; a group that is already gone is fine. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitUntilEmpty(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (processGroupMembers(pgid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

/**
 * SIGTERM to the group, then SIGKILL to whatever is left after `graceMs`. Resolves once no live
 * member remains; rejects if some member survives SIGKILL (uninterruptible sleep).
 */
export async function killProcessGroup(pgid: number, graceMs = 5000): Promise<void> {
  signalProcessGroup(pgid, 'SIGTERM');
  if (await waitUntilEmpty(pgid, graceMs)) return;
  signalProcessGroup(pgid, 'SIGKILL');
  if (await waitUntilEmpty(pgid, 5000)) return;
  throw new Error(`Process group ${pgid} still has members after SIGKILL: ${processGroupMembers(pgid).join(', ')}`);
}
