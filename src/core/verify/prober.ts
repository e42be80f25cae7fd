import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import type { Observation, ProbeOptions, ProbeOutcome, Prober } from './observation';

/**
 * Probes with real sockets from this machine. Only ever called with the addresses of the host being
 * checked (verifyHost.ts decides which), and one connection or two datagrams per port.
 */
export const NETWORK_PROBER: Prober = { tcp: probeTcp, udp: probeUdp };

/** The datagram sent to UDP ports: short, plain, and saying who sent it to anyone who logs it. */
export const UDP_PAYLOAD = Buffer.from('docker-firewall verify\n');

/** Errors that mean something on the way refused the packet: the port itself never answered. */
const FILTERED_CODES: Readonly<Record<string, string>> = {
  EHOSTUNREACH: 'host unreachable (an ICMP error, or no route from here)',
  ENETUNREACH: 'network unreachable from here',
  EHOSTDOWN: 'host down',
  EACCES: 'refused by a firewall on this machine',
  EPERM: 'refused by a firewall on this machine',
  EINVAL: 'no usable route from here',
  EADDRNOTAVAIL: 'no local address for this destination',
  ETIMEDOUT: 'no answer (the kernel gave up)',
};

function errorDetail(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  return `${FILTERED_CODES[code] ?? error.message}${code === '' ? '' : ` (${code})`}`;
}

/**
 * TCP: a connection attempt. Connected → open (closed again at once); a reset → closed; no answer
 * within the timeout → filtered; an ICMP error or a local firewall → filtered, with the reason.
 */
export function probeTcp(address: string, port: number, options: ProbeOptions): Promise<ProbeOutcome> {
  return new Promise((resolve, reject) => {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return reject(abortReason(signal));
    const started = performance.now();
    const socket = connect({ host: address, port, autoSelectFamily: false });
    let settled = false;
    const done = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const finish = (observed: Observation, detail: string): void => {
      if (!done()) return;
      const localAddress = socket.localAddress;
      socket.destroy();
      resolve({ observed, detail, ms: Math.round(performance.now() - started), localAddress });
    };
    const onAbort = (): void => {
      if (!done()) return;
      socket.destroy();
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => finish('filtered', `no answer in ${timeoutMs} ms`), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish('open', 'connected'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') finish('closed', 'refused (TCP reset)');
      else if (error.code === 'ECONNRESET') finish('closed', 'reset');
      else finish('filtered', errorDetail(error));
    });
  });
}

/**
 * UDP: a *connected* socket sends a datagram, and again at half the timeout (one may be lost). A
 * reply → open; an ICMP port-unreachable, which the kernel reports on a connected socket as
 * ECONNREFUSED → closed; silence → open|filtered (a service may ignore a datagram it does not
 * understand, and a DROP looks the same).
 */
export function probeUdp(address: string, port: number, options: ProbeOptions): Promise<ProbeOutcome> {
  return new Promise((resolve, reject) => {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return reject(abortReason(signal));
    const started = performance.now();
    const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    let settled = false;
    let localAddress: string | undefined;
    const timers: NodeJS.Timeout[] = [];
    const done = (): boolean => {
      if (settled) return false;
      settled = true;
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      try {
        socket.close();
      } catch {
        // already closed
      }
      return true;
    };
    const finish = (observed: Observation, detail: string): void => {
      if (done()) resolve({ observed, detail, ms: Math.round(performance.now() - started), localAddress });
    };
    const onAbort = (): void => {
      if (done()) reject(abortReason(signal));
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'ECONNREFUSED') finish('closed', 'port unreachable (ICMP)');
      else finish('filtered', errorDetail(error));
    };
    const send = (): void => {
      if (settled) return;
      socket.send(UDP_PAYLOAD, (error) => {
        if (error) onError(error);
      });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', onError);
    socket.on('message', (message) => finish('open', `replied (${message.length} bytes)`));
    timers.push(setTimeout(() => finish('open|filtered', `no reply in ${timeoutMs} ms`), timeoutMs));
    // Node calls this back with the error when the connect itself fails (no route), though its types omit it.
    const onConnect = (error?: NodeJS.ErrnoException): void => {
      if (error) return onError(error);
      try {
        localAddress = socket.address().address;
      } catch {
        localAddress = undefined;
      }
      send();
      timers.push(setTimeout(send, Math.floor(timeoutMs / 2)));
    };
    socket.connect(port, address, onConnect);
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error(typeof reason === 'string' ? reason : 'aborted');
}
