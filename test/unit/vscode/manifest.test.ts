import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the extension runs and what an untrusted workspace may do (issue 15). In a Remote-SSH window
 * the extension prefers the user's own machine ("ui" first): the host list, ~/.ssh and the secrets
 * stay there. Every setting that names files to read, hosts to reach or the chain to write is
 * restricted in untrusted workspaces, and is application-scoped anyway (a workspace cannot set it).
 */
interface Manifest {
  extensionKind: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] }; virtualWorkspaces: boolean };
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
}
const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as Manifest;

test('the extension prefers the local (UI) side of a remote window, and can run on the workspace side', () => {
  assert.deepEqual(manifest.extensionKind, ['ui', 'workspace']);
});

test('untrusted workspaces: limited, and every setting that says where to connect or what to read or write is restricted and application-scoped', () => {
  const { supported, restrictedConfigurations } = manifest.capabilities.untrustedWorkspaces;
  assert.equal(supported, 'limited');
  const properties = manifest.contributes.configuration.properties;
  for (const key of ['dockerFirewall.hosts', 'dockerFirewall.sshConfigPath', 'dockerFirewall.knownHostsPath', 'dockerFirewall.chain']) {
    assert.ok(restrictedConfigurations.includes(key), key);
  }
  for (const key of restrictedConfigurations) {
    assert.ok(key in properties, `${key} is a setting of ours`);
    assert.equal(properties[key]!.scope, 'application', key);
  }
  assert.equal(manifest.capabilities.virtualWorkspaces, true);
});
