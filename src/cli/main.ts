import { errorLine, exitCodeFor, EXIT, VERIFY_EXIT } from './exitCodes';
import { openHost, type HostConnection } from '../core/hosts/openHost';
import { forTerminal } from '../core/text/hostText';
import { parseInvocation, USAGE, type Invocation } from './args';
import { hostsOf, runFleet, runVerifyFleet } from './fleet';
import { askSecret } from './prompt';
import { runCommand } from './runCommand';
import { printTraceOnExit } from './trace';
import { traceMark } from '../core/trace';
import { runVerify } from './verify';
import { runHistory } from './history';
import { PRODUCT_VERSION } from '../core/version';

export { EXIT, VERIFY_EXIT, errorLine, exitCodeFor, type ExitCode } from './exitCodes';

export async function main(argv: readonly string[]): Promise<number> {
  let label = '';
  try {
    const inv = parseInvocation(argv);
    if (inv.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (inv.command !== 'history' && (inv.hosts.length > 1 || inv.hostsFrom !== undefined)) {
      return inv.command === 'verify' ? await runVerifyFleet(inv, hostsOf(inv), openFor) : await runFleet(inv, hostsOf(inv), openFor);
    }
    label = inv.host;
    const connection = openFor(inv, inv.host);
    try {
      const out = (text: string) => process.stdout.write(`${text}\n`);
      const warn = (text: string) => process.stderr.write(`docker-firewall: ${forTerminal(connection.label)}: warning: ${forTerminal(text)}\n`);
      if (inv.command === 'verify') {
        const progress = process.stderr.isTTY ? (line: string | undefined) => process.stderr.write(`\r\x1b[K${line ?? ''}`) : undefined;
        return VERIFY_EXIT[await runVerify(inv, connection.engine, connection.label, { out, progress })];
      }
      if (inv.command === 'history') await runHistory(inv, connection.engine, connection.label, { out });
      else await runCommand(inv, connection.engine, connection.label, { out, warn }, connection);
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

/** The host as the command line names it, opened with the options that pick key, config and chain, and the CLI's way of asking. */
function openFor(inv: Exclude<Invocation, { command: 'help' }>, destination: string): HostConnection {
  return openHost(
    {
      destination,
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
      askPassword: ({ user, host }) => ask(`${user}@${host}'s password: `),
      askPassphrase: ({ keyPath }) => ask(`Enter passphrase for key '${keyPath}': `),
      askSudoPassword: ({ user, host }) => ask(`[sudo] password for ${user} on ${host}: `),
      log: process.env.DOCKER_FIREWALL_DEBUG ? (level, message) => process.stderr.write(`[${level}] ${forTerminal(message)}\n`) : undefined,
    },
  );
}

/** One question on the terminal at a time: several hosts may want a password at once. */
let asking: Promise<unknown> = Promise.resolve();
function ask(question: string): Promise<string | undefined> {
  const answer = asking.then(() => askSecret(question));
  asking = answer.catch(() => undefined);
  return answer;
}

if (require.main === module) {
  traceMark('cli-loaded');
  printTraceOnExit();
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
