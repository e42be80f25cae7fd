import type { Client, ClientChannel } from 'ssh2';
import { Cancelled, ResponseTooLarge } from '../errors';
import type { ExecResult } from '../remote/remoteCommand';
import { StderrBuffer } from '../remote/stderrBuffer';

/**
 * What a command may print (stdout and stderr together) before it is stopped: 8 MiB. The largest
 * output is our read command's: the filter and security tables of both families, for each iptables
 * variant in use. A Docker host with 1000 published ports prints about 200 KiB of them (a rule of
 * some 90 bytes per port and family); 8 MiB is some 70,000 rules, room for a host that also carries
 * fail2ban's or a cluster's. What a read costs grows with it (measured: 8 MiB of iptables-save takes
 * about 120 MiB of heap and a second to parse, 16 MiB twice that), and Chain Status reads every ten
 * seconds: the 64 MiB allowed before would have let a hostile host make the extension host spend
 * close to 1 GiB on each read.
 */
export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

export interface ChannelRunOptions {
  /** Written to the command's standard input, which is then closed (always: a command reading stdin must see EOF). */
  readonly stdin?: string | Buffer | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Output beyond this (stdout and stderr together) is ResponseTooLarge rather than memory exhaustion. Default DEFAULT_MAX_OUTPUT_BYTES. */
  readonly maxOutputBytes?: number | undefined;
  /** Called once the channel is open (stats). */
  readonly onOpen?: (() => void) | undefined;
  /** Text for Cancelled, e.g. "iptables-save on h1". */
  readonly description: string;
}

/** The connection went away while a command was running; it may or may not have completed. */
export class ChannelLost extends Error {}

/**
 * The connection was already gone when a channel was to be opened: nothing was sent, so the caller
 * may reconnect and try again.
 */
export class NotConnected extends Error {}

/**
 * Opens a channel with one of ssh2's callback-style methods (exec, forwardOut, streamlocal), mapping
 * "the connection is gone" to NotConnected.
 */
export function openChannel(
  open: (callback: (error: Error | undefined, channel: ClientChannel) => void) => void,
  onChannel?: (channel: ClientChannel) => void,
): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      open((error, channel) => {
        if (error === undefined) {
          onChannel?.(channel);
          resolve(channel);
        }
        // ssh2 fails pending channel opens with this message when the socket closes.
        else reject(/No response from server/.test(error.message) ? new NotConnected(error.message) : error);
      });
    } catch (error) {
      // ssh2 throws synchronously when the socket is already closed ("Not connected").
      reject(new NotConnected(error instanceof Error ? error.message : String(error)));
    }
  });
}

export function openExecChannel(client: Client, command: string, onChannel?: (channel: ClientChannel) => void): Promise<ClientChannel> {
  return openChannel((callback) => client.exec(command, callback), onChannel);
}

/**
 * Runs one command line on its own channel and collects its output. Aborting sends SIGTERM to the
 * remote process (sshd honours signal requests for commands without a pty) and closes the channel,
 * and rejects at once with Cancelled.
 */
export async function runOnChannel(client: Client, command: string, options: ChannelRunOptions): Promise<ExecResult> {
  const { signal } = options;
  if (signal?.aborted) throw new Cancelled(options.description);
  // The exit status is listened for inside ssh2's callback: a quick command's exit can arrive in the
  // same packet batch as the channel confirmation, before an await would let us attach (measured).
  let exit: { code: number | null; signal?: string | undefined } | undefined;
  const channel = await openExecChannel(client, command, (opened) => {
    opened.on('exit', (code: number | null, signalName?: string) => {
      exit = { code, signal: signalName ?? undefined };
    });
  });
  options.onOpen?.();
  if (signal?.aborted) {
    channel.close();
    throw new Cancelled(options.description);
  }
  const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;

  return new Promise<ExecResult>((resolve, reject) => {
    const stdout: Buffer[] = [];
    // Only the start and the end of stderr are kept (see StderrBuffer); all of it counts towards the limit.
    const stderr = new StderrBuffer();
    let size = 0;
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    const collect = (keep: (chunk: Buffer) => void) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        channel.close();
        settle(() => reject(new ResponseTooLarge(options.description, limit)));
        return;
      }
      keep(chunk);
    };
    const onAbort = (): void => {
      sendSignal(channel, 'TERM');
      channel.close();
      settle(() => reject(new Cancelled(options.description)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    channel.on('data', collect((chunk) => stdout.push(chunk)));
    channel.stderr.on('data', collect((chunk) => stderr.add(chunk)));
    channel.on('error', (error: Error) => settle(() => reject(error)));
    channel.on('close', () => {
      settle(() => {
        if (exit === undefined) {
          reject(new ChannelLost(`the connection was lost while ${options.description} ran`));
          return;
        }
        resolve({
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: stderr.text(),
          code: exit.code,
          signal: exit.signal,
        });
      });
    });
    channel.end(options.stdin);
  });
}

/**
 * Sends a signal request. ssh2's channel.signal() stays silent once our side has sent EOF, which is
 * always the case here (stdin is closed right after the payload), yet sshd still delivers signals
 * then; so the request is sent through the channel's protocol object, as signal() itself does.
 */
function sendSignal(channel: ClientChannel, name: string): void {
  const internals = channel as unknown as {
    outgoing?: { id?: number; state?: string };
    _client?: { _protocol?: { signal?: (id: number, signal: string) => void } };
  };
  const id = internals.outgoing?.id;
  const state = internals.outgoing?.state;
  const protocol = internals._client?._protocol;
  if (id === undefined || (state !== 'open' && state !== 'eof') || typeof protocol?.signal !== 'function') return;
  try {
    protocol.signal(id, name);
  } catch {
    // The connection may be going away; closing the channel is what matters.
  }
}
