import { DockerFirewallError, type ErrorCode } from '../core/errors';
import { openHost } from '../core/hosts/openHost';
import { forTerminal } from '../core/text/hostText';
import { parseInvocation, USAGE } from './args';
import { askSecret } from './prompt';
import { runCommand } from './runCommand';
import { printTraceOnExit } from './trace';
import { traceMark } from '../core/trace';
import { runVerify } from './verify';
import { runHistory } from './history';
import { PRODUCT_VERSION } from '../core/version';
import type { VerifyVerdict } from '../core/verify/verifyHost';

/**
 * Exit codes are part of the contract: scripts and our tests rely on them. notLocked is neither a
 * failure nor bad input (the host was read, and the command line is valid): the host is not in the
 * state the command acts on, and nothing was changed.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, hostKey: 3, notLocked: 4, mismatch: 5 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Every error code's exit code: a new ErrorCode does not compile until it is given one here. */
const EXIT_CODES: Record<ErrorCode, ExitCode> = {
  InvalidInput: EXIT.usage,
  InvalidDestination: EXIT.usage,
  SshConfigError: EXIT.usage,
  ProxyCommandUnsupported: EXIT.usage,
  HostKeyUnknown: EXIT.hostKey,
  HostKeyMismatch: EXIT.hostKey,
  HostKeyRevoked: EXIT.hostKey,
  HostNotLocked: EXIT.notLocked,
  AuthenticationFailed: EXIT.failed,
  ConnectionFailed: EXIT.failed,
  ConnectTimeout: EXIT.failed,
  PermissionDenied: EXIT.failed,
  SudoPasswordRequired: EXIT.failed,
  SudoPasswordIncorrect: EXIT.failed,
  IptablesMissing: EXIT.failed,
  CommandNotFound: EXIT.failed,
  RemoteCommandFailed: EXIT.failed,
  DockerUnavailable: EXIT.failed,
  DockerRequestFailed: EXIT.failed,
  InvalidResponse: EXIT.failed,
  ResponseTooLarge: EXIT.failed,
  Cancelled: EXIT.failed,
  FirewallReadFailed: EXIT.failed,
  LockdownRefused: EXIT.failed,
  ApplyFailed: EXIT.failed,
  ConcurrentChange: EXIT.failed,
  PersistFailed: EXIT.failed,
};

/** verify's exit code: 5 when a port does not behave as the rules say; 1 when nothing from here can be trusted. */
export const VERIFY_EXIT: Record<VerifyVerdict, ExitCode> = { match: EXIT.ok, mismatch: EXIT.mismatch, 'cannot-probe': EXIT.failed };

export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof DockerFirewallError ? EXIT_CODES[error.code] : EXIT.failed;
}

/**
 * The line a failure is reported with on stderr: "docker-firewall: HOST: message". One line, whatever
 * the host put in the message (stderr lines, Docker's words): its control characters are shown as
 * escapes, not acted on by the terminal.
 */
export function errorLine(error: unknown, label: string): string {
  const message = forTerminal(error instanceof Error ? error.message : String(error));
  return exitCodeFor(error) === EXIT.usage || label === '' ? `docker-firewall: ${message}` : `docker-firewall: ${forTerminal(label)}: ${message}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  let label = '';
  try {
    const inv = parseInvocation(argv);
    if (inv.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    label = inv.host;
    const connection = openHost(
      {
        destination: inv.host,
        sshConfigPath: inv.options.sshConfig,
        knownHostsPath: inv.options.knownHosts,
        identityFiles: inv.options.identities,
        chain: inv.options.chain,
        acceptNewHostKeys: inv.options.acceptNew,
        tool: { name: 'cli', version: PRODUCT_VERSION },
      },
      {
        // Asked only without accept-new: a script has nobody to answer, so an unknown key is refused (exit 3).
        onUnknownHostKey: () => Promise.resolve(false),
        // With accept-new (--accept-new, or the ssh config's StrictHostKeyChecking), as OpenSSH does.
        onHostKeyAdded: (key) =>
          process.stderr.write(`${forTerminal(`Warning: permanently added the host key of ${key.host} (${key.keyType} ${key.fingerprint}) to ${key.knownHostsFile ?? 'no known_hosts file'}.`)}\n`),
        askPassword: ({ user, host }) => askSecret(`${user}@${host}'s password: `),
        askPassphrase: ({ keyPath }) => askSecret(`Enter passphrase for key '${keyPath}': `),
        askSudoPassword: ({ user, host }) => askSecret(`[sudo] password for ${user} on ${host}: `),
        log: process.env.DOCKER_FIREWALL_DEBUG ? (level, message) => process.stderr.write(`[${level}] ${forTerminal(message)}\n`) : undefined,
      },
    );
    try {
      const out = (text: string) => process.stdout.write(`${text}\n`);
      const warn = (text: string) => process.stderr.write(`docker-firewall: ${forTerminal(connection.label)}: warning: ${forTerminal(text)}\n`);
      if (inv.command === 'verify') {
        const progress = process.stderr.isTTY ? (line: string | undefined) => process.stderr.write(`\r\x1b[K${line ?? ''}`) : undefined;
        return VERIFY_EXIT[await runVerify(inv, connection.engine, connection.label, { out, progress })];
      }
      if (inv.command === 'history') await runHistory(inv, connection.engine, connection.label, { out });
      else await runCommand(inv, connection.engine, connection.label, { out, warn });
      traceMark('output-written');
    } finally {
      connection.close();
    }
    return EXIT.ok;
  } catch (error) {
    process.stderr.write(`${errorLine(error, label)}\n`);
    return exitCodeFor(error);
  }
}

if (require.main === module) {
  traceMark('cli-loaded');
  printTraceOnExit();
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
