// Fault injection for the reliability suite: a TCP proxy between the client and a lab host's sshd
// that cuts the connection at a chosen moment, killing a connection's sshd processes on the host by
// PID, and waiting for apply scripts that outlived their connection. Traffic goes only from the
// test's own namespace (its loopback) to the lab host's address.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { onHost, run, type LabHost } from './lab';

/** When the next proxied connection is cut. */
export type CutTrigger =
  | { readonly kind: 'none' }
  /** After this many bytes from the client have been forwarded (the chunk that crosses it is cut short). */
  | { readonly kind: 'after-bytes'; readonly bytes: number }
  /** This long after the client connected. */
  | { readonly kind: 'after-ms'; readonly ms: number };

export interface ProxiedConnection {
  /** Local port of the proxy's connection to sshd: the host sees the client at this port. */
  readonly upstreamPort: Promise<number>;
  readonly openedAt: number;
  bytesUp: number;
  bytesDown: number;
  /** Set once cut (by a trigger or by cut()). */
  cutAt: number | undefined;
  cut(): void;
  /** Cuts after ms (0: now). */
  cutAfter(ms: number): void;
}

/**
 * Listens on 127.0.0.1 (of the namespace the test runs in) and forwards to target:port. A cut
 * resets both sides at once (RST), as a dropped link or a crashed middlebox would be seen.
 */
export class CutProxy {
  readonly connections: ProxiedConnection[] = [];
  /** Applies to connections accepted from now on. */
  next: CutTrigger = { kind: 'none' };
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort = 22): Promise<CutProxy> {
    const started: { proxy?: CutProxy } = {};
    const server = createServer((client) => started.proxy?.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    started.proxy = new CutProxy(server, (server.address() as AddressInfo).port);
    return started.proxy;
  }

  /** Cuts every open connection now; returns how many. */
  cutAll(): number {
    const open = this.connections.filter((c) => c.cutAt === undefined);
    for (const c of open) c.cut();
    return open.length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetHost: string, targetPort: number): void {
    const trigger = this.next;
    const upstream = connect({ host: targetHost, port: targetPort });
    this.sockets.add(client).add(upstream);
    let timer: NodeJS.Timeout | undefined;
    const conn: ProxiedConnection = {
      upstreamPort: new Promise((resolve, reject) => {
        upstream.once('connect', () => resolve(upstream.localPort ?? 0));
        upstream.once('error', reject);
      }),
      openedAt: Date.now(),
      bytesUp: 0,
      bytesDown: 0,
      cutAt: undefined,
      cut: () => {
        if (conn.cutAt !== undefined) return;
        conn.cutAt = Date.now();
        if (timer !== undefined) clearTimeout(timer);
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      },
      cutAfter: (ms) => {
        if (timer !== undefined) clearTimeout(timer);
        if (ms <= 0) conn.cut();
        else timer = setTimeout(() => conn.cut(), ms);
      },
    };
    conn.upstreamPort.catch(() => undefined);
    this.connections.push(conn);
    if (trigger.kind === 'after-ms') conn.cutAfter(trigger.ms);

    client.on('data', (chunk: Buffer) => {
      if (conn.cutAt !== undefined) return;
      if (trigger.kind === 'after-bytes' && conn.bytesUp + chunk.length >= trigger.bytes) {
        const keep = Math.max(0, trigger.bytes - conn.bytesUp);
        conn.bytesUp += keep;
        if (keep > 0) upstream.write(chunk.subarray(0, keep), () => conn.cut());
        else conn.cut();
        return;
      }
      conn.bytesUp += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (conn.cutAt !== undefined) return;
      conn.bytesDown += chunk.length;
      client.write(chunk);
    });
    const end = (socket: Socket, other: Socket) => {
      socket.on('end', () => other.end());
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        this.sockets.delete(socket);
        if (timer !== undefined && conn.cutAt === undefined) clearTimeout(timer);
      });
    };
    end(client, upstream);
    end(upstream, client);
  }
}

/** PIDs of the sshd processes on a lab host that serve the TCP connection from the client port given. */
export async function sshdPidsFor(host: LabHost, clientPort: number): Promise<number[]> {
  const result = await onHost(host, ['ss', '-Htnp', 'state', 'established', `( sport = :22 and dport = :${clientPort} )`]);
  const pids = [...result.stdout.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
  // Only sshd's own processes, never whatever else a recycled number may name.
  return [...new Set(pids)].filter((pid) => commOf(pid) === 'sshd');
}

/** SIGKILL, by PID, to the sshd processes of one connection; returns the PIDs signalled. */
export async function killSshdSession(host: LabHost, clientPort: number): Promise<number[]> {
  const pids = await sshdPidsFor(host, clientPort);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already: the connection ended by itself.
    }
  }
  return pids;
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** PIDs in the host's network namespace whose command line has the given marker (e.g. docker-firewall-apply). */
export async function processesWith(host: LabHost, marker: string): Promise<number[]> {
  const result = await run(['ip', 'netns', 'pids', host.ns]);
  const pids = result.stdout.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  });
}

/**
 * Waits until no apply script runs on the host any more (one may outlive its cut connection: it
 * ignores SIGHUP on purpose). Returns how long it waited.
 */
export async function waitForNoApply(host: LabHost, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while ((await processesWith(host, 'docker-firewall-apply')).length > 0) {
    if (Date.now() - started > timeoutMs) throw new Error(`an apply script still runs on ${host.name} after ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small seeded generator (mulberry32), so that a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed for this run: RELIABILITY_SEED when given, else the clock; tests print it. */
export function runSeed(): number {
  const given = process.env.RELIABILITY_SEED;
  return given !== undefined && /^\d+$/.test(given) ? Number(given) : Date.now() % 2 ** 31;
}

/**
 * Integer setting from the environment, within bounds (the suite's budget depends on them). It can
 * never make a test a no-op: a value that is not a whole number of at least 1 is an error, and under
 * CI=true so is one below the default (CI measures at least as much as the page promises).
 */
export function envCount(name: string, fallback: number, max = 1000): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${name}=${text}: must be a whole number of at least 1`);
  const value = Math.min(Number(text), max);
  if (process.env.CI === 'true' && value < fallback) throw new Error(`${name}=${text}: under CI=true it may not go below its default ${fallback}`);
  return value;
}
