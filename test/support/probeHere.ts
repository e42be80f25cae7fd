import { createSocket, type SocketType } from 'node:dgram';
import { readlinkSync, statSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * The probes of lab.ts, run in this process when it already is in the namespace they would run in
 * (the lab suites run in the lab's outside namespace). Each probe in a namespace of its own costs a
 * Node process start (and `ip netns exec`); thousands of them were a good part of a full run's CPU
 * time on a 2-core machine. They answer exactly as the scripts in lab.ts do, in the same words.
 */
const here = new Map<string, boolean>();

/** Whether this process's network namespace is the named one (`ip netns` names, /run/netns/NAME). */
export function inThisNamespace(ns: string): boolean {
  let known = here.get(ns);
  if (known === undefined) {
    try {
      known = readlinkSync('/proc/self/ns/net') === `net:[${statSync(`/run/netns/${ns}`).ino}]`;
    } catch {
      known = false;
    }
    here.set(ns, known);
  }
  return known;
}

/** As lab.ts's TCP_PROBE prints it: `open`, `timeout` or `error:CODE`. */
export function tcpProbeHere(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done('open'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`error:${error.code ?? error.message}`));
  });
}

/** As lab.ts's UDP_PROBE prints it: `{"reply":TEXT}`, `{"error":CODE}` or `{}`; sent again at half time. */
export function udpProbeHere(host: string, port: number, timeoutMs: number, payload: string, family: SocketType): Promise<string> {
  return new Promise((resolve) => {
    const socket = createSocket(family);
    const timers: NodeJS.Timeout[] = [];
    const done = (result: { reply?: string; error?: string }): void => {
      for (const t of timers) clearTimeout(t);
      socket.removeAllListeners('message').removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.close();
      resolve(JSON.stringify(result));
    };
    socket.once('message', (message) => done({ reply: message.toString('utf8') }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    const send = (): void => socket.send(payload, port, host);
    send();
    timers.push(setTimeout(send, timeoutMs / 2), setTimeout(() => done({}), timeoutMs));
  });
}
