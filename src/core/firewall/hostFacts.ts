import { isIPv4, isIPv6 } from 'node:net';
import type { PortProto } from './port';

/**
 * What the host says about itself in the same read as its firewall: who listens on which port
 * (ss), which container each listening process belongs to, the SSH connection we came in on, and
 * its global addresses. All of it is host text: each line is checked against a strict pattern, and
 * a line that does not fit is left out and counted, never guessed at.
 */

/** One listening TCP socket or bound UDP socket, as `ss -Hlntup` lists it. */
export interface ListeningSocket {
  readonly proto: Exclude<PortProto, 'sctp'>;
  /** '0.0.0.0', '::', a specific address; '*' is ss's dual-stack wildcard (an IPv6 socket that takes IPv4 too). */
  readonly address: string;
  readonly port: number;
  /** Interface the socket is bound to (`0.0.0.0%eth0`), if any. */
  readonly device?: string | undefined;
  /** Processes holding it (ss lists each), by pid. */
  readonly pids: readonly number[];
  /** The first process's name as ss prints it. */
  readonly process: string | undefined;
}

/** A process behind a socket: its command name, owner and the container whose cgroup it is in. */
export interface SocketProcess {
  readonly pid: number;
  /** Full 64-hex id of the Docker container whose cgroup holds it, if any. */
  readonly containerId: string | undefined;
  readonly uid: number | undefined;
  readonly comm: string;
}

/** The client side of the SSH connection as the host sees it, and the server side we reached. */
export interface SshConnection {
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly serverAddress: string;
  readonly serverPort: number;
}

export interface HostAddress {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly prefix: number;
  readonly device: string;
}

export interface HostFacts {
  /** Undefined when the host could not list its sockets (no ss): nothing is known of what listens. */
  readonly sockets: readonly ListeningSocket[] | undefined;
  readonly processes: ReadonlyMap<number, SocketProcess>;
  readonly ssh: SshConnection | undefined;
  readonly addresses: readonly HostAddress[];
  /** The host's clock at the read, Unix seconds; undefined when it printed none that reads as one. */
  readonly clock?: number | undefined;
  /** Lines that fit no pattern, per section: counted so that status can say the picture is incomplete. */
  readonly unreadable: { readonly sockets: number; readonly processes: number; readonly addresses: number };
}

export const NO_FACTS: HostFacts = {
  sockets: undefined,
  processes: new Map(),
  ssh: undefined,
  addresses: [],
  unreadable: { sockets: 0, processes: 0, addresses: 0 },
};

// tcp LISTEN 0 4096 0.0.0.0:8080 0.0.0.0:* users:(("docker-proxy",pid=9644,fd=4))
const SOCKET = /^(tcp|udp)\s+(?:LISTEN|UNCONN)\s+\d+\s+\d+\s+(\S+):(\d{1,5})\s+\S+(?:\s+users:\((.*)\))?\s*$/;
const USER = /\("((?:[^"\\]|\\.){0,64})",pid=(\d{1,9}),fd=\d{1,9}\)/g;
const PROCESS = /^(\d{1,9}) (-|[0-9a-f]{64}) (-|\d{1,10}) ([\x21-\x7e]{1,32})$/;
const SSH = /^(\S+) (\d{1,5}) (\S+) (\d{1,5})$/;
// 2: eth0    inet 192.0.2.1/24 brd 192.0.2.255 scope global eth0\       valid_lft forever ...
const ADDRESS = /^\d+:\s+([A-Za-z0-9_.@-]{1,32})\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d{1,3})\s/;

export function parseSockets(text: string | undefined): { sockets: ListeningSocket[] | undefined; unreadable: number } {
  if (text === undefined || /^no ss\s*$/.test(text.trim())) return { sockets: undefined, unreadable: 0 };
  const sockets: ListeningSocket[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = SOCKET.exec(line);
    const parsed = m === null ? undefined : socketFrom(m);
    if (parsed === undefined) unreadable++;
    else sockets.push(parsed);
  }
  return { sockets, unreadable };
}

function socketFrom(m: RegExpExecArray): ListeningSocket | undefined {
  const [, proto, local, portText, users] = m;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  let address = local!;
  let device: string | undefined;
  const percent = address.lastIndexOf('%');
  if (percent !== -1) {
    device = address.slice(percent + 1);
    address = address.slice(0, percent);
    if (!/^[A-Za-z0-9_.@-]{1,32}$/.test(device)) return undefined;
  }
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (address !== '*' && !isIPv4(address) && !isIPv6(address)) return undefined;
  const holders = [...(users ?? '').matchAll(USER)];
  return {
    proto: proto === 'udp' ? 'udp' : 'tcp',
    address,
    port,
    device,
    pids: holders.map((h) => Number(h[2])),
    process: holders[0]?.[1],
  };
}

export function parseProcesses(text: string | undefined): { processes: Map<number, SocketProcess>; unreadable: number } {
  const processes = new Map<number, SocketProcess>();
  let unreadable = 0;
  for (const line of (text ?? '').split('\n')) {
    if (line.trim() === '') continue;
    const m = PROCESS.exec(line.trim());
    if (m === null) {
      unreadable++;
      continue;
    }
    const pid = Number(m[1]);
    processes.set(pid, { pid, containerId: m[2] === '-' ? undefined : m[2], uid: m[3] === '-' ? undefined : Number(m[3]), comm: m[4]! });
  }
  return { processes, unreadable };
}

export function parseSshConnection(text: string | undefined): SshConnection | undefined {
  const m = SSH.exec((text ?? '').trim());
  if (m === null) return undefined;
  const [, clientAddress, clientPort, serverAddress, serverPort] = m;
  const address = (a: string) => isIPv4(a) || isIPv6(a);
  if (!address(clientAddress!) || !address(serverAddress!)) return undefined;
  return { clientAddress: clientAddress!, clientPort: Number(clientPort), serverAddress: serverAddress!, serverPort: Number(serverPort) };
}

export function parseAddresses(text: string | undefined): { addresses: HostAddress[]; unreadable: number } {
  const addresses: HostAddress[] = [];
  let unreadable = 0;
  for (const line of (text ?? '').split('\n')) {
    if (line.trim() === '') continue;
    const m = ADDRESS.exec(line);
    const family = m?.[2] === 'inet6' ? 'ipv6' : 'ipv4';
    const valid = m !== null && (family === 'ipv4' ? isIPv4(m[3]!) : isIPv6(m[3]!)) && Number(m[4]) <= (family === 'ipv4' ? 32 : 128);
    if (!valid) {
      unreadable++;
      continue;
    }
    addresses.push({ family, address: m[3]!, prefix: Number(m[4]), device: m[1]! });
  }
  return { addresses, unreadable };
}

/** The facts from the sections of one read (see readFirewall.ts for the commands that print them). */
export function hostFactsFrom(sections: {
  sockets?: string | undefined;
  processes?: string | undefined;
  ssh?: string | undefined;
  addresses?: string | undefined;
  clock?: string | undefined;
}): HostFacts {
  const sockets = parseSockets(sections.sockets);
  const processes = parseProcesses(sections.processes);
  const addresses = parseAddresses(sections.addresses);
  return {
    sockets: sockets.sockets,
    processes: processes.processes,
    ssh: parseSshConnection(sections.ssh),
    addresses: addresses.addresses,
    clock: parseClock(sections.clock),
    unreadable: { sockets: sockets.unreadable, processes: processes.unreadable, addresses: addresses.unreadable },
  };
}

/** `date -u +%s`: whole seconds, 2001 to 2286 (ten digits); anything else is no clock. */
export function parseClock(text: string | undefined): number | undefined {
  const t = (text ?? '').trim();
  return /^[0-9]{10}$/.test(t) ? Number(t) : undefined;
}
