import * as assert from 'node:assert/strict';
import type { DockerFirewallApi } from '../../../src/vscode/api';
import { activateApi, child, exposures, extensionRoot, labelsOf } from '../../support/vscode/extension';
import { readSuiteLab, type SuiteLab } from '../../support/vscode/labState';
import { unblockWithCli } from '../../support/vscode/outside';

/** What the lab publishes on every host (lab/README.md), as the Hosts tree labels and describes it. */
const OPEN_EXPOSURES = {
  'admin 127.0.0.1:8082 → 80/tcp': 'local only',
  'app 0.0.0.0:8081 → 80/tcp': 'exposed',
  'app [::]:8081 → 80/tcp': 'exposed',
  'dns 0.0.0.0:5353 → 5353/udp': 'exposed',
  'dns [::]:5353 → 5353/udp': 'exposed',
  'web 0.0.0.0:8080 → 80/tcp': 'exposed',
  'web [::]:8080 → 80/tcp': 'exposed',
};

suite('Hosts tree on the lab hosts', () => {
  let api: DockerFirewallApi;
  let lab: SuiteLab;

  suiteSetup(async function () {
    this.timeout(90_000);
    lab = readSuiteLab();
    api = await activateApi();
    await unblockWithCli(lab, extensionRoot());
    await api.refresh();
  });

  test('the configured hosts are the lab hosts, read from the user settings', () => {
    assert.deepEqual(
      api.hosts.list().map((h) => h.name),
      lab.hosts.map((h) => h.name),
    );
  });

  test('each host is shown open, with its containers (sorted) and their state', async () => {
    const tree = await api.treeSnapshot();
    assert.deepEqual(labelsOf(tree), lab.hosts.map((h) => h.name));
    for (const host of tree) {
      assert.equal(host.description, 'open', `${host.label}: ${host.tooltip}`);
      assert.equal(host.contextValue, 'host+open+blockable+readable');
      assert.equal(api.hosts.state(host.label), 'open');
      // The containers, then what else listens on the host (sshd), which the lockdown never covers.
      assert.deepEqual(labelsOf(host.children), ['admin', 'app', 'dns', 'web', 'worker', 'Host services'], host.label);
      assert.equal(child(host.children, 'Host services').description, '2 host services');
      for (const container of host.children.filter((c) => c.label !== 'Host services')) {
        assert.match(container.description, / · running$/, `${host.label}/${container.label}`);
        assert.equal(container.contextValue, 'container+running');
      }
      assert.deepEqual(child(host.children, 'worker').children, [], 'worker publishes nothing');
    }
  });

  test('every published port is listed under its container with its exposure (IPv4 and IPv6, tcp and udp, loopback)', async () => {
    const tree = await api.treeSnapshot();
    for (const labHost of lab.hosts) {
      const host = child(tree, labHost.name);
      assert.deepEqual(
        exposures(host),
        {
          ...OPEN_EXPOSURES,
          [`Host services ${labHost.ipv4}:22 → 22/tcp`]: 'host service',
          [`Host services [${labHost.ipv6}]:22 → 22/tcp`]: 'host service',
        },
        labHost.name,
      );
      // The tooltip is Markdown: the version's dots are escaped.
      assert.ok(host.tooltip.replaceAll('\\', '').includes(`Docker ${labHost.dockerMajor}.`), `${labHost.name} tooltip names its Docker version: ${host.tooltip}`);
      assert.match(host.tooltip, /Lockdown \*\*off\*\*/);
      const web = child(host.children, 'web');
      assert.equal(child(web.children, '0.0.0.0:8080 → 80/tcp').contextValue, 'port+exposed');
      assert.equal(child(web.children, '0.0.0.0:8080 → 80/tcp').icon, 'globe');
      assert.equal(child(child(host.children, 'admin').children, '127.0.0.1:8082 → 80/tcp').icon, 'home');
    }
  });
});
