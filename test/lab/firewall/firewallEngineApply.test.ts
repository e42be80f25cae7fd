import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { changes, FirewallEngine } from '../../../src/core/hosts/firewallEngine';
import { readPolicy } from '../../../src/core/firewall/readPolicy';
import type { Inventory } from '../../../src/core/docker/inventory';
import { makeIptablesNamespace, type IptablesNamespace } from '../../support/iptablesNetns';
import { DEFAULT_CHAIN } from '../../../src/core/validate';
import { needsRoot } from '../../support/requirements';

/** FirewallEngine's apply loop on real iptables: round trips, compare-and-swap conflicts and retries. */
const inventory: Inventory = {
  docker: { version: '28.5.2', apiVersion: '1.51', firewallBackend: 'iptables' },
  networks: [],
  containers: [
    { id: 'a', name: 'web', image: 'lab/httpd', state: 'running', status: 'Up', networkMode: 'bridge', networks: [], ports: [{ container: 'web', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' }, { container: 'web', hostIp: '::', hostPort: 8080, containerPort: 80, proto: 'tcp' }] },
  ],
};

describe('FirewallEngine.apply on real iptables', { skip: needsRoot('FirewallEngine.apply on real iptables') }, () => {
  let ns: IptablesNamespace;
  let host: FirewallEngine;
  before(() => {
    ns = makeIptablesNamespace('nft');
    host = new FirewallEngine(ns.runner, () => Promise.resolve(inventory), DEFAULT_CHAIN);
  });
  after(() => ns.remove());

  test('a change is one read and one apply; with a fresh reading given, the apply alone', async () => {
    ns.runner.calls.length = 0;
    const first = await host.apply(changes.block());
    assert.equal(first.applied, true);
    assert.equal(ns.runner.calls.length, 2);
    const reading = await host.read();
    ns.runner.calls.length = 0;
    const second = await host.apply(changes.allow({ port: 8080, proto: 'tcp' }), { reading });
    assert.equal(second.applied, true);
    assert.equal(ns.runner.calls.length, 1, 'planned from the given reading: one round trip');
  });

  test('a reading made stale by another client is refused by the host, read again, and both changes stand', async () => {
    const stale = await host.read();
    // Another client changes the host after our reading.
    await new FirewallEngine(ns.runner, () => Promise.resolve(inventory), DEFAULT_CHAIN).apply(changes.allow({ port: 9000, proto: 'udp' }));
    const report = await host.apply(changes.allow({ port: 9001, proto: 'tcp' }), { reading: stale });
    assert.equal(report.applied, true);
    assert.equal(report.retries, 1);
    const policy = readPolicy((await host.read()).tables);
    assert.deepEqual(policy.allows.map((a) => `${a.proto}/${a.port}`).sort(), ['tcp/8080', 'tcp/9001', 'udp/9000']);
  });

  test('"nothing to change" is not believed from a given reading, only from a fresh one', async () => {
    const stale = await host.read();
    await host.apply(changes.deny({ port: 8080, proto: 'tcp' }));
    const report = await host.apply(changes.allow({ port: 8080, proto: 'tcp' }), { reading: stale });
    assert.equal(report.applied, true);
    assert.ok(readPolicy((await host.read()).tables).allows.some((a) => a.port === 8080));
  });

  test('unblock leaves nothing of ours', async () => {
    await host.apply(changes.unblock());
    const save = ns.run(['iptables-nft-save', '-t', 'filter']) + ns.run(['ip6tables-nft-save', '-t', 'filter']);
    assert.doesNotMatch(save, /PRE_DOCKER|docker-firewall/);
  });
});
