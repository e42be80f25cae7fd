import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLabUp, labHost, loadLab, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall } from '../../support/cli';
import { probeBlocked, probeOpen } from '../../support/probes';
import { needsLab } from '../../support/requirements';

/**
 * Cloud SSH (issue 15): a host reached only through its ssh config's ProxyCommand, as AWS SSM,
 * Google IAP and Cloudflare Access users reach theirs. Here the command is socat to h1's sshd; the
 * host's name resolves nowhere (`.invalid`), so only the command can have carried the connection.
 * Block, status and unblock all go through it, the Docker API included, and a real connection
 * from outside shows the lockdown. Then `--known-hosts` for a host behind a ProxyJump hop: the
 * file named holds the hop's key too, and is used for it.
 */
const skip = needsLab('ProxyCommand and ProxyJump with --known-hosts', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const PORT = 8081;

describe('a host reached through a ProxyCommand (h1), and --known-hosts through a jump host (h2 via h1)', { skip }, () => {
  let host: LabHost;
  let dir: string;
  let config: string;
  let marker: string;
  const cli = (args: readonly string[]) => dockerFirewall(['--ssh-config', config, ...args], { lab });

  before(() => {
    host = labHost(lab!, 'h1');
    dir = mkdtempSync(join(tmpdir(), 'dfw-proxycommand-lab-'));
    config = join(dir, 'ssh_config');
    marker = join(dir, 'proxy-ran');
    /** A Host block as root with the lab's key, its host keys looked up in `knownHosts` only. */
    const block = (alias: string, knownHosts: string, lines: readonly string[]) => [
      `Host ${alias}`,
      ...lines.map((l) => `  ${l}`),
      '  User root',
      `  IdentityFile ${lab!.keys.root}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '',
    ];
    const empty = join(dir, 'empty_known_hosts');
    writeFileSync(
      config,
      [
        ...block('h1-via-command', lab!.knownHosts, [
          'HostName h1.lab.invalid',
          `HostKeyAlias ${host.ipv4}`,
          `ProxyCommand printf '%%s %%s\\n' %h %p >>${marker}; exec socat - TCP:${host.ipv4}:%p`,
        ]),
        // Keys only in the file given with --known-hosts: the config names an empty one, for both.
        ...block('h2-via-h1', empty, [`HostName ${labHost(lab!, 'h2').ipv4}`, 'ProxyJump h1-jump']),
        ...block('h1-jump', empty, [`HostName ${host.ipv4}`]),
      ].join('\n'),
    );
    writeFileSync(empty, '');
  });
  after(async () => {
    await dockerFirewall(['unblock', 'h1'], { lab });
    rmSync(dir, { recursive: true, force: true });
  });

  test(`block through the ProxyCommand: ${PORT} is silent from outside beside sshd answering; unblock through it opens it again`, async () => {
    const blocked = await cli(['block', 'h1-via-command']);
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.match(readFileSync(marker, 'utf8'), /^h1\.lab\.invalid 22$/m, 'the command ran, with %h and %p expanded');
    assert.equal(await probeBlocked(lab!.outside.ns, host, { port: PORT, family: 'ipv4' }), 'timeout');
    const status = await cli(['--json', 'status', 'h1-via-command']);
    assert.equal(status.code, 0, status.stderr);
    const json = JSON.parse(status.stdout) as { locked: boolean; ports: { hostPort: number }[] };
    assert.equal(json.locked, true);
    assert.ok(json.ports.some((p) => p.hostPort === PORT), 'the Docker API answered through the same command');
    const unblocked = await cli(['unblock', 'h1-via-command']);
    assert.equal(unblocked.code, 0, unblocked.stderr);
    assert.equal(await probeOpen(lab!.outside.ns, host, { port: PORT, family: 'ipv4' }), 'open');
  });

  test('--known-hosts names the file for the jump host too: without it the hop is unknown (exit 3), with it the status reads', async () => {
    const without = await cli(['status', 'h2-via-h1']);
    assert.equal(without.code, 3, without.stderr);
    // The key asked about is the hop's (h1), not the target's.
    assert.match(without.stderr, new RegExp(`The host key of ${host.ipv4.replaceAll('.', '\\.')} is not in known_hosts`));
    const withFile = await cli(['--known-hosts', lab!.knownHosts, 'status', 'h2-via-h1']);
    assert.equal(withFile.code, 0, withFile.stderr);
  });
});
