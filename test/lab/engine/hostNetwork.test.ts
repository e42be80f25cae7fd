import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isLabUp, loadLab, labHost, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { probeBlocked, type BlockedVerdict } from '../../support/probes';
import { sleep } from '../../support/faults';
import { needsLab } from '../../support/requirements';

/**
 * What listens on the host's own sockets (issue 12): a host-network container is its own exposure
 * word, is covered by Block on INPUT over IPv4 and IPv6 and opened by Allow; a process of the host
 * itself (socat here, sshd always) is a host service, never blocked, and SSH keeps working
 * throughout (it is the positive control of every silent probe).
 */
const skip = needsLab('host-network containers and host services', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

const HOSTNET = { container: 'dfwtest-hostnet', port: 8095 };
const SERVICE_PORT = 8096;

interface StatusJson {
  ports: { container: string | null; hostIp: string; hostPort: number; proto: string; exposure: string }[];
}

// On h1 only: a host-network container's sockets are the host's, whatever Docker's version (CI's time, README).
for (const name of ['h1']) {
  describe(`host-network container and host service on ${name}`, { skip }, () => {
    let host: LabHost;
    let service: ChildProcess | undefined;
    const out = () => lab!.outside.ns;
    const reach = (port: number, family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<BlockedVerdict> => probeBlocked(out(), host, { port, family });
    const exposures = async (port: number) =>
      [...new Set((await dockerFirewallJson<StatusJson>(['status', name])).ports.filter((p) => p.hostPort === port && p.proto === 'tcp').map((p) => p.exposure))];
    const listens = async (port: number) => (await onHost(host, ['ss', '-Hltn', `sport = :${port}`])).stdout.trim() !== '';

    before(async () => {
      host = labHost(lab!, name);
      await dockerFirewall(['unblock', name]);
      await onHost(host, ['docker', 'rm', '--force', HOSTNET.container]);
      const run = await onHost(host, ['docker', 'run', '--detach', '--name', HOSTNET.container, '--label', `lab=${lab!.name}`, '--network', 'host', 'lab/busybox:1', 'lab-page-server', String(HOSTNET.port)], { timeoutMs: 60_000 });
      assert.equal(run.code, 0, run.stderr);
      // A plain process of the host, in its namespaces, started and ended by this test (by its PID).
      const holder = readFileSync(host.holderPidFile, 'utf8').trim();
      service = spawn('nsenter', ['--target', holder, '--mount', '--uts', '--net', '--', 'socat', `TCP6-LISTEN:${SERVICE_PORT},fork,reuseaddr,ipv6only=0`, 'SYSTEM:echo service'], { stdio: 'ignore' });
      for (let i = 0; i < 60 && !((await listens(HOSTNET.port)) && (await listens(SERVICE_PORT))); i++) await sleep(250);
      assert.ok((await listens(HOSTNET.port)) && (await listens(SERVICE_PORT)), 'the container and the service listen');
    });
    after(async () => {
      await dockerFirewall(['unblock', name]);
      await onHost(host, ['docker', 'rm', '--force', HOSTNET.container]);
      service?.kill('SIGTERM');
    });

    test('open: the host-network port is "host-network", the host process a "host service", both answer over IPv4 and IPv6', async () => {
      assert.deepEqual(await exposures(HOSTNET.port), ['host-network']);
      assert.deepEqual(await exposures(SERVICE_PORT), ['host-service']);
      for (const family of ['ipv4', 'ipv6'] as const) {
        assert.equal(await reach(HOSTNET.port, family), 'open', family);
        assert.equal(await reach(SERVICE_PORT, family), 'open', family);
      }
    });

    test('Block: the host-network port is silent over IPv4 and IPv6 beside sshd answering, and blocked; the host service still answers', async () => {
      const result = await dockerFirewall(['block', name]);
      assert.equal(result.code, 0, result.stderr);
      for (const family of ['ipv4', 'ipv6'] as const) {
        assert.equal(await reach(HOSTNET.port, family), 'timeout', family);
        assert.equal(await reach(SERVICE_PORT, family), 'open', `${family}: a host service is never ours to block`);
      }
      assert.deepEqual(await exposures(HOSTNET.port), ['blocked']);
      assert.deepEqual(await exposures(SERVICE_PORT), ['host-service']);
    });

    test('Allow opens the host-network port over both families, Block Again closes it', async () => {
      assert.equal((await dockerFirewall(['allow', name, String(HOSTNET.port)])).code, 0);
      for (const family of ['ipv4', 'ipv6'] as const) assert.equal(await reach(HOSTNET.port, family), 'open', family);
      assert.deepEqual(await exposures(HOSTNET.port), ['allowed']);
      assert.equal((await dockerFirewall(['deny', name, String(HOSTNET.port)])).code, 0);
      for (const family of ['ipv4', 'ipv6'] as const) assert.equal(await reach(HOSTNET.port, family), 'timeout', family);
    });
  });
}
