// Real connections from the outside namespaces to a lab host's published ports, as the
// reliability tests judge a lockdown: what is open, what is blocked, and whether a blocked port was
// ever reachable while something (a dockerd restart, a reboot) was going on.
//
// "No answer" proves nothing by itself: a dead path gives none either. So every probe of a port
// expected blocked goes with a positive control made at the same moment from the same namespace (by
// default the host's sshd, which the lockdown never touches; during restarts an allowed published
// port, which also proves the forwarding path), and a blocked verdict counts only when the control
// answered.
import { spawn } from 'node:child_process';
import { tcpConnect, udpExchange, type LabHost, type TcpOutcome } from './lab';
import { sleep } from './faults';

/** How long a blocked (dropped) probe waits before it counts as blocked. */
export const BLOCKED_MS = 1500;

/** What a probe needs of a host: its addresses (a lab host, or the booted systemd machine). */
export type Addressed = Pick<LabHost, 'ipv4' | 'ipv6'>;

/** The host's sshd: open whatever the lockdown does, so it shows the path to the host is alive. */
export const CONTROL_PORT = 22;

export interface PortProbe {
  readonly port: number;
  readonly proto?: 'tcp' | 'udp';
  readonly family: 'ipv4' | 'ipv6';
}

export const probeName = (p: PortProbe): string => `${p.family === 'ipv4' ? 'v4' : 'v6'} ${p.port}/${p.proto ?? 'tcp'}`;

/** The default positive control for a probe: the host's sshd over the same family. */
export const sshControl = (family: PortProbe['family']): PortProbe => ({ port: CONTROL_PORT, family });

const addressOf = (host: Addressed, family: PortProbe['family']) => (family === 'ipv4' ? host.ipv4 : host.ipv6);

/** 'open', 'refused' or 'timeout' for TCP; 'open' or 'timeout' for UDP (an answer or none). */
export async function probe(fromNs: string, host: Addressed, p: PortProbe, timeoutMs = BLOCKED_MS): Promise<TcpOutcome> {
  const address = addressOf(host, p.family);
  if ((p.proto ?? 'tcp') === 'udp') return (await udpExchange(fromNs, address, p.port, timeoutMs)) ? 'open' : 'timeout';
  return tcpConnect(fromNs, address, p.port, timeoutMs);
}

/**
 * What a probe of a port expected blocked shows: 'timeout' only when the control, made at the same
 * moment, answered; 'open' or 'refused' as they come (an answer needs no control); otherwise
 * "void (…)", which no expectation accepts.
 */
export type BlockedVerdict = TcpOutcome | `void (control ${string})`;

export async function probeBlocked(fromNs: string, host: Addressed, p: PortProbe, control: PortProbe = sshControl(p.family), timeoutMs = BLOCKED_MS): Promise<BlockedVerdict> {
  const [target, check] = await Promise.all([probe(fromNs, host, p, timeoutMs), probe(fromNs, host, control, timeoutMs)]);
  if (target !== 'timeout') return target;
  return check === 'open' ? 'timeout' : `void (control ${probeName(control)} ${check})`;
}

/**
 * Probes every port at once; ports expected open get a few tries (containers may still be starting
 * after a daemon start), ports expected blocked get exactly one, beside its control: a blocked port
 * must never answer, and its silence counts only while the control answers.
 */
export async function reachability(fromNs: string, host: Addressed, expected: readonly (PortProbe & { expect: TcpOutcome })[], settleMs = 8000): Promise<Record<string, BlockedVerdict>> {
  const results = await Promise.all(
    expected.map(async (p) => {
      if (p.expect !== 'open') return [probeName(p), await probeBlocked(fromNs, host, p)] as const;
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

/**
 * A port expected open: tried until it answers or `settleMs` has passed (a rule or a container may
 * take a moment on a busy machine); the last outcome otherwise. A port expected blocked gets one
 * probe beside its control (probeBlocked), never retries.
 */
export async function probeOpen(fromNs: string, host: Addressed, p: PortProbe, settleMs = 5000): Promise<TcpOutcome> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const outcome = await probe(fromNs, host, p, 1000);
    if (outcome === 'open' || Date.now() > deadline) return outcome;
    await sleep(200);
  }
}

export function expectedOf(expected: readonly (PortProbe & { expect: TcpOutcome })[]): Record<string, TcpOutcome> {
  return Object.fromEntries(expected.map((p) => [probeName(p), p.expect]));
}

/** A port that must stay blocked, and the port that shows the path alive while it is probed. */
export interface WatchedPort {
  readonly blocked: PortProbe;
  readonly control: PortProbe;
}

export interface HammerResult {
  /** Pairs of connection attempts made (one to the blocked port, one to the control). */
  readonly tries: number;
  /** Connections to the blocked port that got through. */
  readonly opened: number;
  /** Connections to the control that got through. */
  readonly controlOpened: number;
  /** Pairs in which the blocked port gave no connection while the control did: the evidence. */
  readonly blockedBesideControl: number;
  /** Epoch ms at which the first and the last connection to the blocked port got through, or null. */
  readonly firstOpenedAt: number | null;
  readonly lastOpenedAt: number | null;
}

export interface WatchResult {
  readonly probes: number;
  readonly controlOpened: number;
  readonly blockedBesideControl: number;
  /** Ports that answered at least once, with how many connections got through. */
  readonly opened: { readonly probe: string; readonly count: number }[];
  /** Per watched port, what its hammer counted. */
  readonly perPort: readonly (HammerResult & { readonly probe: string; readonly control: string })[];
}

/**
 * Hammers blocked ports, each beside its control, from the moment it is called until `until`
 * settles and `afterMs` more, and records how many connections got through and how many pairs were
 * evidence (the control answered, the blocked port did not).
 */
export async function watchBlocked(fromNs: string, host: Addressed, ports: readonly WatchedPort[], until: Promise<unknown>, afterMs = 0): Promise<WatchResult> {
  const hammers = await Promise.all(ports.map((w) => startHammer(fromNs, host, w)));
  await until.catch(() => undefined);
  if (afterMs > 0) await sleep(afterMs);
  const results = await Promise.all(hammers.map((h) => h.stop()));
  const perPort = results.map((r, i) => ({ ...r, probe: probeName(ports[i]!.blocked), control: probeName(ports[i]!.control) }));
  return {
    probes: results.reduce((n, r) => n + r.tries, 0),
    controlOpened: results.reduce((n, r) => n + r.controlOpened, 0),
    blockedBesideControl: results.reduce((n, r) => n + r.blockedBesideControl, 0),
    opened: perPort.flatMap((r) => (r.opened > 0 ? [{ probe: r.probe, count: r.opened }] : [])),
    perPort,
  };
}

/** Each connection attempt of the hammer waits this long for the handshake (a late opening counts too). */
export const HAMMER_CONNECT_MS = 250;

// Every 4 ms opens one connection to the blocked port and one to the control, each given
// HAMMER_CONNECT_MS, until its standard input closes; counts those that got through, and the pairs
// in which only the control did. A window of a few milliseconds in a lockdown shows.
const HAMMER = `
const net = require('node:net');
const [host, port, controlHost, controlPort, ms] = process.argv.slice(1);
let tries = 0, opened = 0, controlOpened = 0, blockedBesideControl = 0, pending = 0, stopping = false;
let firstOpenedAt = null, lastOpenedAt = null;
const attempt = (h, p) => new Promise((resolve) => {
  const s = net.connect({ host: h, port: Number(p) });
  const t = setTimeout(() => { s.destroy(); resolve(false); }, Number(ms));
  s.on('connect', () => { clearTimeout(t); s.destroy(); resolve(Date.now()); });
  s.on('error', () => { clearTimeout(t); resolve(false); });
});
const pair = async () => {
  tries++; pending++;
  const [a, b] = await Promise.all([attempt(host, port), attempt(controlHost, controlPort)]);
  if (a) { opened++; firstOpenedAt = Math.min(firstOpenedAt ?? a, a); lastOpenedAt = Math.max(lastOpenedAt ?? a, a); }
  if (b) controlOpened++;
  if (!a && b) blockedBesideControl++;
  pending--;
};
const timer = setInterval(pair, 4);
process.stdout.write('started\\n');
const stop = () => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  const done = () => { process.stdout.write(JSON.stringify({ tries, opened, controlOpened, blockedBesideControl, firstOpenedAt, lastOpenedAt }) + '\\n'); process.exit(0); };
  const wait = setInterval(() => { if (pending === 0) { clearInterval(wait); done(); } }, 10);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
`;

export interface Hammer {
  stop(): Promise<HammerResult>;
}

/** Starts hammering the blocked port and its control from fromNs; stop() ends it and gives the counts. */
export function startHammer(fromNs: string, host: Addressed, watched: WatchedPort): Promise<Hammer> {
  const argv = [
    addressOf(host, watched.blocked.family), String(watched.blocked.port),
    addressOf(host, watched.control.family), String(watched.control.port), String(HAMMER_CONNECT_MS),
  ];
  const child = spawn('ip', ['netns', 'exec', fromNs, process.execPath, '-e', HAMMER, ...argv], { stdio: ['pipe', 'pipe', 'inherit'] });
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

/** Hammers a blocked port beside its control from fromNs while `during` runs. */
export async function hammer<T>(fromNs: string, host: Addressed, watched: WatchedPort, during: () => Promise<T>): Promise<HammerResult & { value: T }> {
  const h = await startHammer(fromNs, host, watched);
  let value: T;
  try {
    value = await during();
  } catch (error) {
    await h.stop();
    throw error;
  }
  return { ...(await h.stop()), value };
}

/**
 * The least evidence a watch must have gathered: pairs in which the control answered and the
 * blocked port did not. Below it the watch proves nothing and its "0 opened" is void.
 */
export const MIN_EVIDENCE = 100;

/** Fails with the counts when a watch gathered too little evidence to mean anything. */
export function assertEvidence(result: { probes?: number; tries?: number; controlOpened: number; blockedBesideControl: number }, what: string, min = MIN_EVIDENCE): void {
  if (result.blockedBesideControl < min) {
    throw new Error(
      `${what}: only ${result.blockedBesideControl} probe pairs had a live control (${result.controlOpened} control connections in ` +
        `${result.probes ?? result.tries ?? 0} pairs), fewer than ${min}: the "nothing got through" figure is void`,
    );
  }
}
