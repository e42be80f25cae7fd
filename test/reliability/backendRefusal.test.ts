import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labCommand, labHost, loadLab, onHost, type Lab, type LabHost } from '../support/lab';
import { saveAll } from '../support/cli';
import { applyCount, cli, composedLabHost, type StatusJson } from '../support/engine';
import { measure } from '../support/figures';
import { needsLab } from '../support/requirements';
import { changes } from '../../src/core/hosts/firewallEngine';
import { LockdownRefused } from '../../src/core/firewall/errors';
import { isReadCommand } from '../../src/core/firewall/readFirewall';
import { writeReport } from '../../scripts/reliability-report';

/**
 * Where the lockdown cannot be written as the host claims, nothing is written and the user is told
 * why: an Engine API that reports Docker's nftables firewall backend while Docker's nftables tables
 * are not there (FirewallBackend forged on its way in from a real iptables host here, so that its
 * transaction log can be checked; the lab's real Docker 29 nftables host is locked in test/lab),
 * and a host whose DOCKER-USER is gone.
 */
const skip = needsLab('refusals', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

const withBackend = (driver: string) => (info: Record<string, unknown>) => ({ ...info, FirewallBackend: { Driver: driver } });

for (const name of ['h1', 'h2']) {
  describe(`refusals on ${name}`, { skip }, () => {
    let host: LabHost;
    let original: string;

    before(async () => {
      host = labHost(lab!, name);
      assert.equal((await cli(['unblock', name])).code, 0);
      original = await saveAll(name);
    });
    after(async () => {
      // Docker puts DOCKER-USER back at its next start if the hand restore below did not happen.
      if (!(await onHost(host, ['iptables', '-S', 'DOCKER-USER'])).stdout.includes('-N DOCKER-USER')) await labCommand(['restart-docker', name]);
      await cli(['unblock', name]);
      writeReport();
    });

    test('Engine API reporting the nftables backend on a host without its tables: block and allow refused with the reason, only the read was sent, nothing changed', async () => {
      await measure(lab!, 'backend-refusal', host, { case: 'FirewallBackend nftables (forged)', setup: { forged: 'Engine API info FirewallBackend.Driver = nftables' } }, async (f) => {
        const composed = await composedLabHost(lab!, name, { info: withBackend('nftables') });
        f.refused = 0;
        try {
          for (const change of [changes.block(), changes.block([{ port: 8080, proto: 'tcp' }])]) {
            await assert.rejects(composed.host.apply(change), (error: unknown) => {
              assert.ok(error instanceof LockdownRefused, String(error));
              // Docker's word alone does not move the lockdown into nftables: its tables must be there too.
              assert.match(error.message, /nftables firewall backend, but its nftables tables \(ip docker-bridges\) are not there/);
              return true;
            });
            f.refused++;
          }
          f.commandsSent = composed.sent.length;
          f.applySent = composed.sent.filter((argv) => !isReadCommand(argv)).length;
          assert.equal(f.applySent, 0, 'a command other than the read was sent');
          const status = await composed.host.status();
          f.warning = status.firewall.warnings.some((w) => w.code === 'nftables-backend') ? 'nftables-backend' : 'none';
          assert.equal(f.warning, 'nftables-backend', JSON.stringify(status.firewall.warnings));
        } finally {
          composed.close();
        }
        f.changed = (await saveAll(name)) !== original;
        assert.equal(f.changed, false);

        // The same host reported as iptables+firewalld (Docker 28.3 with firewalld) is not refused.
        const firewalld = await composedLabHost(lab!, name, { info: withBackend('iptables+firewalld') });
        try {
          const plan = await firewalld.host.apply(changes.block(), { dryRun: true });
          f.firewalldPlanned = plan.plan.changed;
          assert.equal(plan.plan.changed, true);
        } finally {
          firewalld.close();
        }
      });
    });

    test('a running host whose DOCKER-USER chain is gone: block refused (exit 1) with the reason, nothing changed', async () => {
      await measure(lab!, 'backend-refusal', host, { case: 'DOCKER-USER removed, dockerd running' }, async (f) => {
        const families = host.dockerMajor === 28 ? ['iptables', 'ip6tables'] : ['iptables'];
        for (const bin of families) {
          for (const args of [['-D', 'FORWARD', '-j', 'DOCKER-USER'], ['-F', 'DOCKER-USER'], ['-X', 'DOCKER-USER']]) {
            const result = await onHost(host, [bin, '-w', ...args]);
            assert.equal(result.code, 0, `${bin} ${args.join(' ')}: ${result.stderr}`);
          }
        }
        const without = await saveAll(name);
        const blocked = await cli(['block', name]);
        f.exitCode = blocked.code ?? 'signal';
        f.applySent = applyCount(blocked.commands);
        f.changed = (await saveAll(name)) !== without;
        assert.equal(blocked.code, 1, blocked.stderr);
        assert.match(blocked.stderr, /DOCKER-USER chain was not found/);
        assert.match(blocked.stderr, /Nothing was changed/);
        assert.equal(f.applySent, 0, 'an apply was sent');
        assert.equal(f.changed, false);
        const status = JSON.parse((await cli(['--json', 'status', name])).stdout) as StatusJson;
        f.warning = status.warnings.some((w) => w.code === 'no-docker-user') ? 'no-docker-user' : 'none';
        assert.equal(f.warning, 'no-docker-user', JSON.stringify(status.warnings));

        // Put Docker's chain back as Docker made it.
        for (const bin of families) {
          await onHost(host, [bin, '-w', '-N', 'DOCKER-USER']);
          if (host.dockerMajor === 20) await onHost(host, [bin, '-w', '-A', 'DOCKER-USER', '-j', 'RETURN']);
          await onHost(host, [bin, '-w', '-I', 'FORWARD', '1', '-j', 'DOCKER-USER']);
        }
        assert.equal(await saveAll(name), original);
      });
    });
  });
}
