import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labHost, loadLab, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall } from '../../support/cli';
import { probeBlocked } from '../../support/probes';
import { needsLab } from '../../support/requirements';

/**
 * The docker-proxy path over IPv4 (issue 12): with Docker's DNAT for one published port bypassed by
 * hand in the nat table, outside traffic to that port is delivered locally, to docker-proxy's
 * 0.0.0.0 socket, past everything that guards the forwarded path. Without the lockdown's INPUT chain
 * (Docker Firewall 0.1 had one for IPv6 only) the "blocked" port answers and `verify` says so
 * (exit 5); with it, the port is silent beside sshd answering, and an allow opens that path too.
 */
const skip = needsLab('the IPv4 docker-proxy path', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

const PORT = 8081;
/** Docker's DNAT skipped for PORT: the packet keeps the host's address and goes to INPUT. */
const BYPASS = ['-t', 'nat', '-I', 'DOCKER', '1', '-p', 'tcp', '--dport', String(PORT), '-j', 'RETURN'];
/** Our INPUT hook, as 0.1's layout lacked it for IPv4. */
const INPUT_HOOK = ['INPUT', '-j', 'PRE_DOCKER_INPUT'];

interface VerifyJson {
  results: { address: string; port: number; proto: string; expected: string; observed: string; match: boolean; severity: string | null }[];
  mismatches: number;
}

for (const name of ['h1', 'h2']) {
  describe(`the IPv4 docker-proxy path on ${name}, Docker's DNAT for ${PORT} bypassed`, { skip }, () => {
    let host: LabHost;
    const reach = () => probeBlocked(lab!.outside.ns, host, { port: PORT, family: 'ipv4' });
    const iptables = async (...args: string[]) => {
      const result = await onHost(host, ['iptables', '-w', ...args]);
      assert.equal(result.code, 0, `iptables ${args.join(' ')}: ${result.stderr}`);
    };
    /** Packets that skipped the DNAT: proof that the connection took the proxy path. */
    const bypassed = async () => {
      const listing = (await onHost(host, ['iptables', '-w', '-t', 'nat', '-L', 'DOCKER', '1', '-v', '-x', '-n'])).stdout.trim();
      return Number(listing.split(/\s+/)[0]);
    };
    const verify = async () => {
      const result = await dockerFirewall(['--json', 'verify', name]);
      const report = JSON.parse(result.stdout) as VerifyJson;
      const row = report.results.find((r) => r.address === host.ipv4 && r.port === PORT && r.proto === 'tcp');
      return { code: result.code, row: row && `${row.expected} ${row.observed} ${row.match ? 'match' : row.severity ?? ''}` };
    };

    before(async () => {
      host = labHost(lab!, name);
      assert.equal((await dockerFirewall(['block', name])).code, 0);
      await iptables(...BYPASS);
    });
    after(async () => {
      await onHost(host, ['iptables', '-w', '-t', 'nat', '-D', 'DOCKER', '-p', 'tcp', '--dport', String(PORT), '-j', 'RETURN']);
      await dockerFirewall(['unblock', name]);
    });

    test(`without the IPv4 INPUT hook (0.1's layout) ${PORT} answers through docker-proxy, and verify reports the mismatch: exit 5`, async () => {
      await iptables('-D', ...INPUT_HOOK);
      const before = await bypassed();
      assert.equal(await reach(), 'open');
      assert.ok((await bypassed()) > before, 'the connection skipped Docker\'s DNAT');
      const { code, row } = await verify();
      assert.equal(code, 5);
      assert.equal(row, 'unreachable open error');
    });

    test(`with the lockdown's INPUT chain (Block again puts the hook back) ${PORT} is silent on that path beside sshd answering; verify exit 0`, async () => {
      assert.equal((await dockerFirewall(['block', name])).code, 0);
      const before = await bypassed();
      assert.equal(await reach(), 'timeout');
      assert.ok((await bypassed()) > before, 'the silent connection too took the proxy path');
      const { code, row } = await verify();
      assert.equal(code, 0);
      assert.equal(row, 'unreachable filtered match');
    });

    test(`an allow for ${PORT} opens the proxy path too, deny closes it`, async () => {
      assert.equal((await dockerFirewall(['allow', name, String(PORT)])).code, 0);
      assert.equal(await reach(), 'open');
      assert.equal((await dockerFirewall(['deny', name, String(PORT)])).code, 0);
      assert.equal(await reach(), 'timeout');
    });
  });
}
