// Helpers for tests that run against the lab (bash lab/lab.sh up): its state, commands in
// its namespaces, and real TCP, UDP and HTTP exchanges between them. Every command is an
// argv run without a shell, and every wait is bounded.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import { inThisNamespace, tcpProbeHere, udpProbeHere } from './probeHere';

export const REPO_ROOT = resolve(__dirname, '../..');
export const LAB_SCRIPT = join(REPO_ROOT, 'lab/lab.sh');

export type LabUser = 'root' | 'deploy' | 'nosudo' | 'sudopw';
export const LAB_USERS: readonly LabUser[] = ['root', 'deploy', 'nosudo', 'sudopw'];

/** A namespace on the LAN with its addresses. */
export interface LabEndpoint {
  readonly ns: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

export type LabDockerMajor = 20 | 28 | 29;
export type LabFirewallBackend = 'iptables' | 'nftables';
export type LabIptablesVariant = 'nft' | 'legacy';

export interface LabHost extends LabEndpoint {
  /** "h1", "h2"...: also the root SSH alias in sshConfig ("h1-deploy" etc. for other users). */
  readonly name: string;
  /** Full server version, e.g. "20.10.24+dfsg1". */
  readonly docker: string;
  readonly dockerMajor: LabDockerMajor;
  /** The `--docker` item that made the host: "20", "28", "29" or "29-nft", each maybe with "+legacy". */
  readonly flavor: string;
  /** Docker's firewall backend as the lab configured it (29-nft: nftables; all others iptables). */
  readonly firewallBackend: LabFirewallBackend;
  /** What the host's own `iptables --version` says: nf_tables ("nft") or "legacy" (a +legacy host). */
  readonly iptablesVariant: LabIptablesVariant;
  /** Pid file of the process that holds the host's mount (private /run) and UTS namespaces. */
  readonly holderPidFile: string;
  /** PATH on the host: its Docker version's binaries first. */
  readonly path: string;
  readonly dockerSocket: string;
  readonly dataRoot: string;
  /** The socket of a rootless dockerd (user `rootless`) beside the root one, on the hosts that have one (h1). */
  readonly rootlessDockerSocket: string | undefined;
}

export interface Lab {
  readonly name: string;
  readonly labDir: string;
  /** The user's machine: tests, CLI and VS Code run here. */
  readonly outside: LabEndpoint;
  /** A second client on the LAN. */
  readonly outside2: LabEndpoint;
  readonly hosts: readonly LabHost[];
  readonly extraContainers: number;
  readonly sshConfig: string;
  readonly knownHosts: string;
  /** Private key path per user. */
  readonly keys: Readonly<Record<LabUser, string>>;
  readonly sudoPasswordFile: string;
}

export function labName(): string {
  return process.env.LAB_NAME ?? 'dfw';
}

export function labStatePath(name: string = labName()): string {
  return join(REPO_ROOT, '.lab', name, 'state.json');
}

export function isLabUp(name: string = labName()): boolean {
  return existsSync(labStatePath(name));
}

/** Reads and checks .lab/<name>/state.json, written by `lab.sh up`. */
export function loadLab(name: string = labName()): Lab {
  const path = labStatePath(name);
  if (!existsSync(path)) {
    throw new Error(`lab ${name} is not up (no ${path}): run LAB_NAME=${name} npm run lab -- up --docker 20,28`);
  }
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return parseLab(raw, path);
}

/**
 * The hosts the VS Code suites (extension host and UI) are configured with: h1 (Docker 20) and h2
 * (Docker 28). The other kinds of host (29, 29 with nftables, iptables-legacy) are the lab suites'
 * (test/lab): the extension runs the same engine, and two hosts keep the VS Code steps within CI's time.
 */
export const EXTENSION_SUITE_HOSTS: readonly string[] = ['h1', 'h2'];

/** The lab as the VS Code suites see it: only EXTENSION_SUITE_HOSTS. */
export function extensionSuiteLab(lab: Lab): Lab {
  const hosts = lab.hosts.filter((h) => EXTENSION_SUITE_HOSTS.includes(h.name));
  if (hosts.length !== EXTENSION_SUITE_HOSTS.length) {
    throw new Error(`lab ${lab.name} lacks ${EXTENSION_SUITE_HOSTS.filter((n) => !hosts.some((h) => h.name === n)).join(', ')}: the VS Code suites need a lab up with at least --docker 20,28`);
  }
  return { ...lab, hosts };
}

export function labHost(lab: Lab, name: string): LabHost {
  const host = lab.hosts.find((h) => h.name === name);
  if (host === undefined) throw new Error(`lab ${lab.name} has no host ${name}`);
  return host;
}

// ---- running commands ---------------------------------------------------------------

export interface RunOptions {
  /** Kill the command after this long (default 30 s). */
  readonly timeoutMs?: number;
  /** Written to the command's standard input, which is then closed. */
  readonly input?: string | Buffer;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Lab to act in (default: loadLab()). */
  readonly lab?: Lab;
}

export interface RunResult {
  readonly argv: readonly string[];
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs argv (no shell) and resolves with its outcome, whatever the exit code. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new Error('run: empty argv'));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({
        argv,
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
    child.stdin.on('error', () => undefined); // the command may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/** Like run, but rejects unless the command exits 0. */
export async function runOk(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const result = await run(argv, opts);
  if (result.code !== 0) {
    throw new Error(`${argv.join(' ')} exited ${result.code ?? 'by signal'}${result.timedOut ? ' (timed out)' : ''}: ${result.stderr.trim()}`);
  }
  return result;
}

/** Runs argv inside network namespace ns. */
export function inNamespace(ns: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(['ip', 'netns', 'exec', ns, ...argv], opts);
}

/** Runs argv in the outside namespace (the user's machine). */
export async function outside(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return await inNamespace((opts.lab ?? loadLab()).outside.ns, argv, opts);
}

/** Runs argv in the second client's namespace. */
export async function outside2(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return await inNamespace((opts.lab ?? loadLab()).outside2.ns, argv, opts);
}

/**
 * Runs argv on a Docker host, as a root shell there would: in its network, mount (private
 * /run, so `docker` talks to that host's own dockerd) and UTS namespaces, with its PATH.
 */
export async function onHost(host: LabHost | string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const h = typeof host === 'string' ? labHost(opts.lab ?? loadLab(), host) : host;
  const pid = readFileSync(h.holderPidFile, 'utf8').trim();
  if (!/^[0-9]+$/.test(pid)) throw new Error(`bad pid in ${h.holderPidFile}`);
  return await run(['nsenter', '--target', pid, '--mount', '--uts', '--net', '--', 'env', `PATH=${h.path}`, ...argv], opts);
}

/** Runs argv in a container of a host (docker exec). */
export function inContainer(host: LabHost | string, container: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return onHost(host, ['docker', 'exec', container, ...argv], opts);
}

/** ssh from the outside namespace with the lab's ssh_config ("h1", "h1-deploy"...). */
export async function sshFromOutside(alias: string, remoteCommand: string, opts: RunOptions = {}): Promise<RunResult> {
  const lab = opts.lab ?? loadLab();
  return await outside(['ssh', '-F', lab.sshConfig, alias, remoteCommand], { ...opts, lab });
}

/** Runs lab/lab.sh with LAB_NAME=name (default the current lab name). */
export function labCommand(args: readonly string[], opts: RunOptions & { readonly name?: string } = {}): Promise<RunResult> {
  return run(['bash', LAB_SCRIPT, ...args], {
    timeoutMs: 10 * 60_000,
    ...opts,
    env: { ...opts.env, LAB_NAME: opts.name ?? labName() },
  });
}

// ---- real connections ---------------------------------------------------------------

export type TcpOutcome = 'open' | 'refused' | 'timeout';

// Small Node programs run inside a namespace; arguments arrive as process.argv[1..].
const TCP_PROBE = `
const net = require('node:net');
const [host, port, ms] = process.argv.slice(1);
const done = (r) => { process.stdout.write(r); process.exit(0); };
const s = net.connect({ host, port: Number(port) });
setTimeout(() => done('timeout'), Number(ms));
s.on('connect', () => done('open'));
s.on('error', (e) => done('error:' + (e.code || e.message)));
`;

const UDP_PROBE = `
const dgram = require('node:dgram');
const [host, port, ms, payload, family] = process.argv.slice(1);
const s = dgram.createSocket(family);
const done = (r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); };
s.on('message', (m) => done({ reply: m.toString('utf8') }));
s.on('error', (e) => done({ error: e.code || e.message }));
const send = () => s.send(payload, Number(port), host);
send();
setTimeout(send, Number(ms) / 2);
setTimeout(() => done({}), Number(ms));
`;

const HTTP_GET = `
const http = require('node:http');
const [url, ms] = process.argv.slice(1);
const req = http.get(url, { timeout: Number(ms) }, (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () => { process.stdout.write(JSON.stringify({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') })); process.exit(0); });
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => { process.stdout.write(JSON.stringify({ error: e.code || e.message })); process.exit(0); });
`;

const HTTP_SERVE = `
const http = require('node:http');
const [host, port, body] = process.argv.slice(1);
const server = http.createServer((req, res) => { res.end(body); });
server.listen({ host, port: Number(port) }, () => process.stdout.write('listening\\n'));
`;

// Codes of an active refusal: a TCP reset or an ICMP error (iptables REJECT).
const REFUSED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'EPERM']);

function nodeIn(ns: string, script: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return inNamespace(ns, [process.execPath, '-e', script, ...args], { timeoutMs });
}

/**
 * Opens a TCP connection from namespace fromNs. 'refused' covers every active refusal
 * (RST, or an ICMP unreachable from a REJECT rule); 'timeout' means no answer (DROP).
 */
export async function tcpConnect(fromNs: string, address: string, port: number, timeoutMs = 3000): Promise<TcpOutcome> {
  const result = inThisNamespace(fromNs)
    ? { stdout: await tcpProbeHere(address, port, timeoutMs), stderr: '' }
    : await nodeIn(fromNs, TCP_PROBE, [address, String(port), String(timeoutMs)], timeoutMs + 5000);
  const out = result.stdout.trim();
  if (out === 'open' || out === 'timeout') return out;
  if (out.startsWith('error:')) {
    const code = out.slice('error:'.length);
    if (REFUSED_CODES.has(code)) return 'refused';
    throw new Error(`tcpConnect ${address}:${port} from ${fromNs}: ${code}`);
  }
  throw new Error(`tcpConnect ${address}:${port} from ${fromNs} failed: ${result.stderr.trim()}`);
}

/** Sends a datagram (again at half time) and resolves with the first reply's text, or undefined. */
export async function udpRequest(fromNs: string, address: string, port: number, payload = 'ping\n', timeoutMs = 3000): Promise<string | undefined> {
  const family = isIPv6(address) ? 'udp6' : 'udp4';
  const result = inThisNamespace(fromNs)
    ? { stdout: await udpProbeHere(address, port, timeoutMs, payload, family) }
    : await nodeIn(fromNs, UDP_PROBE, [address, String(port), String(timeoutMs), payload, family], timeoutMs + 5000);
  const parsed = parseJsonObject(result.stdout, `udpRequest ${address}:${port}`);
  const reply = parsed.reply;
  return typeof reply === 'string' ? reply : undefined;
}

/** True when a datagram to address:port from fromNs gets any answer. */
export async function udpExchange(fromNs: string, address: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return (await udpRequest(fromNs, address, port, 'ping\n', timeoutMs)) !== undefined;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** GET url from namespace fromNs; rejects when there is no HTTP answer within timeoutMs. */
export async function httpGet(fromNs: string, url: string, timeoutMs = 5000): Promise<HttpResponse> {
  const result = await nodeIn(fromNs, HTTP_GET, [url, String(timeoutMs)], timeoutMs + 5000);
  const parsed = parseJsonObject(result.stdout, `httpGet ${url}`);
  if (typeof parsed.status === 'number' && typeof parsed.body === 'string') return { status: parsed.status, body: parsed.body };
  throw new Error(`httpGet ${url} from ${fromNs}: ${typeof parsed.error === 'string' ? parsed.error : result.stderr.trim()}`);
}

export interface TestServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts an HTTP server in namespace ns answering every request with body. */
export function startHttpServer(ns: string, address: string, port: number, body: string, timeoutMs = 10_000): Promise<TestServer> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', HTTP_SERVE, address, String(port), body], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const host = isIPv6(address) ? `[${address}]` : address;
  const close = (): Promise<void> =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('close', () => done());
      child.kill('SIGTERM');
    });
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`HTTP server in ${ns} did not start: ${stderr.trim()}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('listening')) {
        clearTimeout(timer);
        resolvePromise({ url: `http://${host}:${port}/`, close });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`HTTP server in ${ns} exited ${code ?? 'by signal'}: ${stderr.trim()}`));
    });
  });
}

// ---- state.json validation ------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what}: no answer from the probe (${text.trim() || 'empty output'})`);
  }
  if (!isObject(value)) throw new Error(`${what}: unexpected probe output ${text}`);
  return value;
}

function str(obj: JsonObject, key: string, where: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') throw new Error(`${where}: ${key} must be a non-empty string`);
  return value;
}

function obj(parent: JsonObject, key: string, where: string): JsonObject {
  const value = parent[key];
  if (!isObject(value)) throw new Error(`${where}: ${key} must be an object`);
  return value;
}

function parseEndpoint(value: JsonObject, where: string): LabEndpoint {
  return { ns: str(value, 'ns', where), ipv4: str(value, 'ipv4', where), ipv6: str(value, 'ipv6', where) };
}

function oneOf<T extends string>(obj: JsonObject, key: string, allowed: readonly T[], fallback: T, where: string): T {
  const value = obj[key];
  if (value === undefined) return fallback;
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new Error(`${where}: ${key} must be one of ${allowed.join(', ')}`);
  return found;
}

function parseHost(value: unknown, where: string): LabHost {
  if (!isObject(value)) throw new Error(`${where} must be an object`);
  const major = value.dockerMajor;
  if (major !== 20 && major !== 28 && major !== 29) throw new Error(`${where}: dockerMajor must be 20, 28 or 29`);
  // A state.json written before flavors existed describes only 20 and 28 hosts, with the iptables
  // backend and iptables-nft: those are the defaults of the three fields below.
  const flavor = value.flavor === undefined ? String(major) : str(value, 'flavor', where);
  if (!/^(20|28|29|29-nft)(\+legacy)?$/.test(flavor) || !flavor.startsWith(String(major))) {
    throw new Error(`${where}: flavor ${flavor} is not a Docker ${major} flavor`);
  }
  return {
    ...parseEndpoint(value, where),
    name: str(value, 'name', where),
    docker: str(value, 'docker', where),
    dockerMajor: major,
    flavor,
    firewallBackend: oneOf(value, 'firewallBackend', ['iptables', 'nftables'] as const, 'iptables', where),
    iptablesVariant: oneOf(value, 'iptablesVariant', ['nft', 'legacy'] as const, 'nft', where),
    holderPidFile: str(value, 'holderPidFile', where),
    path: str(value, 'path', where),
    dockerSocket: str(value, 'dockerSocket', where),
    dataRoot: str(value, 'dataRoot', where),
    rootlessDockerSocket: typeof value.rootlessDockerSocket === 'string' ? value.rootlessDockerSocket : undefined,
  };
}

function parseLab(raw: unknown, where: string): Lab {
  if (!isObject(raw)) throw new Error(`${where} must hold an object`);
  const hosts = raw.hosts;
  if (!Array.isArray(hosts) || hosts.length === 0) throw new Error(`${where}: hosts must be a non-empty array`);
  const keys = obj(raw, 'keys', where);
  const extra = raw.extraContainers;
  return {
    name: str(raw, 'name', where),
    labDir: str(raw, 'labDir', where),
    outside: parseEndpoint(obj(raw, 'outside', where), `${where} outside`),
    outside2: parseEndpoint(obj(raw, 'outside2', where), `${where} outside2`),
    hosts: hosts.map((h: unknown, i) => parseHost(h, `${where} hosts[${i}]`)),
    extraContainers: typeof extra === 'number' ? extra : 0,
    sshConfig: str(raw, 'sshConfig', where),
    knownHosts: str(raw, 'knownHosts', where),
    keys: {
      root: str(keys, 'root', `${where} keys`),
      deploy: str(keys, 'deploy', `${where} keys`),
      nosudo: str(keys, 'nosudo', `${where} keys`),
      sudopw: str(keys, 'sudopw', `${where} keys`),
    },
    sudoPasswordFile: str(raw, 'sudoPasswordFile', where),
  };
}
