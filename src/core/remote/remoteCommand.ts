/**
 * Builders describe remote commands; a runner (an SSH session) executes them. Keeping the two apart
 * lets argument building and output parsing be tested without a host.
 */
export interface RemoteCommand<T> {
  /** argv of the command; joined with shellQuote by the runner, never by hand. */
  readonly argv: readonly string[];
  /** Sent on the command's standard input, then closed. */
  readonly stdin?: string;
  /** Runs with root rights: directly as root, else through sudo (see ssh/privilege). */
  readonly privileged: boolean;
  /** Output beyond this fails the command with ResponseTooLarge (the runner's default otherwise). */
  readonly maxOutputBytes?: number | undefined;
  /** Turns the finished command into a value, or throws a typed error. */
  parse(result: ExecResult): T;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status; null when the process died from a signal. */
  readonly code: number | null;
  readonly signal?: string | undefined;
}

export interface ExecOptions {
  readonly stdin?: string | undefined;
  readonly privileged?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly maxOutputBytes?: number | undefined;
}

/** What core needs from a connected host: run a command line, nothing more. */
export interface CommandRunner {
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

export async function run<T>(runner: CommandRunner, command: RemoteCommand<T>, signal?: AbortSignal): Promise<T> {
  const result = await runner.exec(command.argv, { stdin: command.stdin, privileged: command.privileged, signal, maxOutputBytes: command.maxOutputBytes });
  return command.parse(result);
}
