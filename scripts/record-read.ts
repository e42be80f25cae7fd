// Prints what our read command prints on a host, run the way the engine runs it (over SSH, as the
// configured user, through sudo where needed), with the fixed nonce the recordings use:
//   node --import tsx scripts/record-read.ts --ssh-config PATH HOST > report.txt
// For lab/record-fixtures.sh, lab/record-locked-fixtures.sh and lab/record-rootless-fixtures.sh (test/fixtures/*/report.txt).
import { parseArgs } from 'node:util';
import { readFirewallCommand } from '../src/core/firewall/readFirewall';
import { loadSshConfig, resolveSshHost } from '../src/core/ssh/sshConfig';
import { SshSession } from '../src/core/ssh/sshSession';
import { sessionOptionsFromConfig } from '../src/core/ssh/sshSessionOptions';
import { RECORDING_NONCE } from './recordingNonce';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'ssh-config': { type: 'string' } } });
  const host = positionals[0];
  if (host === undefined) throw new Error('usage: record-read.ts --ssh-config PATH HOST');
  const loaded = await loadSshConfig({ userConfig: values['ssh-config'] });
  const session = new SshSession(sessionOptionsFromConfig(resolveSshHost(loaded.config, host, { configFile: loaded.files[0] }), {}));
  try {
    const command = readFirewallCommand(RECORDING_NONCE);
    const result = await session.exec(command.argv, { privileged: command.privileged });
    if (result.code !== 0) throw new Error(`the read failed on ${host}: ${result.stderr}`);
    command.parse(result);
    process.stdout.write(result.stdout);
  } finally {
    session.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
