// Real connections from the outside namespaces to a lab host's published ports, as the
// reliability tests judge a lockdown: what is open, what is blocked, and whether a blocked port was
// ever reachable while something (a dockerd restart, a reboot) was going on.
import { spawn } from 'node:child_process';
import { tcpConnect, udpExchange, type LabHost, type TcpOutcome } from './lab';
import { sleep } from './faults';

/** How long a blocked (dropped) probe waits before it counts as blocked. */
export const BLOCKED_MS = 1500;

export interface PortProbe {
  readonly port: number;
  readonly proto?: 'tcp' | 'udp';
  readonly family: 'ipv4' | 'ipv6';
}

export const probeName = (p: PortProbe): string => `${p.family === 'ipv4' ? 'v4' : 'v6'} ${p.port}/${p.proto ?? 'tcp'}`;

/** 'open', 'refused' or 'timeout' for TCP; 'open' or 'timeout' for UDP (an answer or none). */
export async function probe(fromNs: string, host: LabHost, p: PortProbe, timeoutMs = BLOCKED_MS): Promise<TcpOutcome> {
  const address = p.family === 'ipv4' ? host.ipv4 : host.ipv6;
  if ((p.proto ?? 'tcp') === 'udp') return (await udpExchange(fromNs, address, p.port, timeoutMs)) ? 'open' : 'timeout';
  return tcpConnect(fromNs, address, p.port, timeoutMs);
}

/**
 * Probes every port at once; ports expected open get a few tries (containers may still be starting
 * after a daemon start), ports expected blocked get exactly one: a blocked port must never answer.
 */
export async function reachability(fromNs: string, host: LabHost, expected: readonly (PortProbe & { expect: TcpOutcome })[], settleMs = 8000): Promise<Record<string, TcpOutcome>> {
  const results = await Promise.all(
    expected.map(async (p) => {
      if (p.expect !== 'open') return [probeName(p), await probe(fromNs, host, p)] as const;
      const deadline = Date.now() + settleMs;
      for (;;) {
        const outcome = await probe(fromNs, host, p, 1000);
        if (outcome === 'open' || Date.now() > deadline) return [probeName(p), outcome] as const;
        await sleep(200);
      }
    }),
  );
  return Object.fromEntries(results);
}

export function expectedOf(expected: readonly (PortProbe & { expect: TcpOutcome })[]): Record<string, TcpOutcome> {
  return Object.fromEntries(expected.map((p) => [probeName(p), p.expect]));
}

export interface WatchResult {
  /** Connection attempts made. */
  readonly probes: number;
  /** Ports that answered at least once, with how many connections got through. */
  readonly opened: { readonly probe: string; readonly count: number }[];
}

/**
 * Hammers blocked ports (hundreds of connection attempts a second each) from the moment it is
 * called until `until` settles, and records how many got through.
 */
export async function watchBlocked(fromNs: string, host: LabHost, ports: readonly PortProbe[], until: Promise<unknown>): Promise<WatchResult> {
  const hammers = await Promise.all(ports.map((p) => startHammer(fromNs, p.family === 'ipv4' ? host.ipv4 : host.ipv6, p.port)));
  await until.catch(() => undefined);
  const results = await Promise.all(hammers.map((h) => h.stop()));
  return {
    probes: results.reduce((n, r) => n + r.tries, 0),
    opened: results.flatMap((r, i) => (r.opened > 0 ? [{ probe: probeName(ports[i]!), count: r.opened }] : [])),
  };
}

// Opens connections as fast as it can (two every 4 ms, each given 30 ms) until its standard input
// closes, and counts those that got through: a window of a few milliseconds in a lockdown shows.
const HAMMER = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
let opened = 0, tries = 0, stopping = false;
const one = () => {
  tries++;
  const s = net.connect({ host, port: Number(port) });
  const t = setTimeout(() => s.destroy(), 30);
  s.on('connect', () => { opened++; clearTimeout(t); s.destroy(); });
  s.on('error', () => undefined);
  s.on('close', () => clearTimeout(t));
};
const timer = setInterval(() => { one(); one(); }, 4);
process.stdout.write('started\\n');
const stop = () => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  setTimeout(() => { process.stdout.write(JSON.stringify({ tries, opened }) + '\\n'); process.exit(0); }, 100);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
`;

export interface HammerResult {
  readonly tries: number;
  readonly opened: number;
}

export interface Hammer {
  stop(): Promise<HammerResult>;
}

/** Starts hammering address:port from fromNs; stop() ends it and gives the counts. */
export function startHammer(fromNs: string, address: string, port: number): Promise<Hammer> {
  const child = spawn('ip', ['netns', 'exec', fromNs, process.execPath, '-e', HAMMER, address, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // Never left running: a hammer the test forgot is ended after two minutes.
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const stop = async (): Promise<HammerResult> => {
    child.stdin.end();
    await closed;
    clearTimeout(guard);
    const last = out.trim().split('\n').pop() ?? '';
    if (!last.startsWith('{')) throw new Error(`the hammer from ${fromNs} gave no counts: ${out}`);
    return JSON.parse(last) as HammerResult;
  };
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (out.includes('started')) {
        child.stdout.off('data', onData);
        resolve({ stop });
      }
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
  });
}

/** Hammers address:port from fromNs while `during` runs. */
export async function hammer<T>(fromNs: string, address: string, port: number, during: () => Promise<T>): Promise<HammerResult & { value: T }> {
  const h = await startHammer(fromNs, address, port);
  let value: T;
  try {
    value = await during();
  } catch (error) {
    await h.stop();
    throw error;
  }
  return { ...(await h.stop()), value };
}
