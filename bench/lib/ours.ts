import type { HostConnection } from '../../src/core/hosts/openHost';
import type { Lab } from '../../test/support/lab';
import { acceptedLoginsOn, openLabHost } from './benchLab';
import { middle, timed } from './stats';

/** One timed operation of ours with what it cost: connections (ours and sshd's count) and channels. */
export interface OurSample {
  readonly ms: number;
  readonly connections: number;
  readonly sshdLogins: number;
  readonly execChannels: number;
  readonly streamChannels: number;
}

const ZERO = { connectionsOpened: 0, execChannels: 0, streamChannels: 0 };

/** Times fn on handles already open (warm) or not (cold): the cost is the change of their counters. */
export async function measureOurs(lab: Lab, handles: readonly HostConnection[], hosts: readonly string[], fn: () => Promise<unknown>): Promise<OurSample> {
  const before = handles.map((h) => h.stats() ?? ZERO);
  const loginsBefore = acceptedLoginsOn(lab, hosts);
  const { ms } = await timed(fn);
  const loginsAfter = acceptedLoginsOn(lab, hosts);
  const after = handles.map((h) => h.stats() ?? ZERO);
  const delta = (key: keyof typeof ZERO) => after.reduce((sum, s, i) => sum + s[key] - before[i]![key], 0);
  return {
    ms,
    connections: delta('connectionsOpened'),
    sshdLogins: loginsAfter - loginsBefore,
    execChannels: delta('execChannels'),
    streamChannels: delta('streamChannels'),
  };
}

/** Opens a handle per host, runs fn with them, closes them whatever happens. */
export async function withHandles<T>(lab: Lab, hosts: readonly string[], fn: (handles: HostConnection[]) => Promise<T>): Promise<T> {
  const handles = hosts.map((h) => openLabHost(lab, h));
  try {
    return await fn(handles);
  } finally {
    for (const handle of handles) handle.close();
  }
}

export function ourCosts(samples: readonly OurSample[]): {
  sshConnections: number;
  sshConnectionsSshdLog: number;
  execChannels: number;
  streamChannels: number;
} {
  const mid = (key: keyof Omit<OurSample, 'ms'>) => middle(samples.map((s) => s[key]));
  return {
    sshConnections: mid('connections'),
    sshConnectionsSshdLog: mid('sshdLogins'),
    execChannels: mid('execChannels'),
    streamChannels: mid('streamChannels'),
  };
}

export const msOf = (samples: readonly { ms: number }[]): number[] => samples.map((s) => s.ms);
