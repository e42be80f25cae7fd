import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { Duplex, type Readable, type Writable } from 'node:stream';
import type { SshLogger } from './sshSessionOptions';

/**
 * A ProxyCommand's process, whose standard input and output carry the SSH connection, as OpenSSH
 * runs it: `sh -c COMMAND` on this machine (tokens already expanded and quoted, sshTokens.ts). Its
 * standard error is kept (the last 2 KiB) to say why a connection failed, and logged line by line
 * at debug level; the command itself is never logged or shown, since it may hold a secret.
 */
export interface ProxyProcess {
  readonly sock: Duplex;
  /** Settles when the process has ended (and its standard error is read, or 200 ms later). */
  readonly ended: Promise<void>;
  /** Why the process ended, if it did, waiting up to `ms` for it to end: its exit and last stderr line. */
  failure(ms: number): Promise<string | undefined>;
  /** Ends the process (its own, by PID). */
  stop(): void;
}

const STDERR_KEPT = 2048;

export function startProxyCommand(command: string, label: string, logger?: SshLogger): ProxyProcess {
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let exit: string | undefined;
  let markEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
    for (const line of chunk.split('\n')) if (line.trim() !== '') logger?.('debug', `${label} ProxyCommand: ${line}`);
  });
  child.on('error', (error) => {
    exit = `could not be started: ${error.message}`;
    markEnded();
  });
  child.on('exit', (code, signal) => {
    exit = signal !== null ? `was ended by ${signal}` : `exited with status ${String(code)}`;
    // Its last words may still be in the pipe: give stderr a moment before saying why.
    child.stderr.once('close', markEnded);
    setTimeout(markEnded, 200).unref();
  });
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  // The process ending early closes the pipes before their end ("premature close"), and a write after
  // it is gone fails (EPIPE): ssh2 sees the connection lost either way, and failure() says why.
  child.stdin.on('error', () => undefined);
  sock.on('error', (error: Error) => logger?.('debug', `${label} ProxyCommand stream: ${error.message}`));
  return {
    sock,
    ended,
    failure: async (ms) => {
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
      if (exit === undefined) return undefined;
      const last = stderr.trim().split('\n').pop()?.trim();
      return `the ProxyCommand ${exit}${last ? `: ${last}` : ''}`;
    },
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      sock.destroy();
    },
  };
}
