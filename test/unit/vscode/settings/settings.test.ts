import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CHAIN, parseChainName } from '../../../../src/core/validate';
import { DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from '../../../../src/core/verify/verifyHost';
import { DEFAULT_MAX_PARALLEL_HOSTS, DEFAULT_REFRESH_INTERVAL, MAX_PARALLEL_HOSTS, pathSetting, readSettings, SETTINGS_SECTION } from '../../../../src/vscode/settings/settings';
import { packageJson } from '../../../support/packageJson';

const source = (values: Record<string, unknown>) => ({ get: (key: string) => values[key] });
const schema = packageJson.contributes.configuration.properties;

test('unset settings read as their defaults', () => {
  const settings = readSettings(source({}), '/home/u');
  assert.deepEqual(settings, {
    hosts: [],
    chain: 'PRE_DOCKER',
    refreshInterval: 10,
    knownHostsPath: undefined,
    sshConfigPath: undefined,
    confirmDestructiveActions: true,
    verifyAfterChange: true,
    checkTimeoutMs: 1500,
    maxParallelHosts: 8,
    notifyExposedPorts: true,
    problems: [],
  });
});

test('maxParallelHosts: a whole number from 1 to 64, else the default with a problem', () => {
  assert.equal(schema[`${SETTINGS_SECTION}.maxParallelHosts`]?.default, DEFAULT_MAX_PARALLEL_HOSTS);
  // The manifest's bounds are the ones readSettings applies.
  assert.equal(schema[`${SETTINGS_SECTION}.maxParallelHosts`]?.minimum, 1);
  assert.equal(schema[`${SETTINGS_SECTION}.maxParallelHosts`]?.maximum, MAX_PARALLEL_HOSTS);
  assert.equal(readSettings(source({ maxParallelHosts: 1 })).maxParallelHosts, 1);
  assert.equal(readSettings(source({ maxParallelHosts: 64 })).maxParallelHosts, 64);
  for (const bad of [0, 65, 2.5, '8', -1, Number.NaN]) {
    const settings = readSettings(source({ maxParallelHosts: bad }));
    assert.equal(settings.maxParallelHosts, 8, String(bad));
    assert.match(settings.problems.join('\n'), /maxParallelHosts should be a whole number from 1 to 64; using 8/, String(bad));
  }
});

test('checkTimeout: whole milliseconds from 50 to 60000, as verify --timeout takes them, else the default with a problem', () => {
  assert.equal(schema[`${SETTINGS_SECTION}.checkTimeout`]?.default, DEFAULT_TIMEOUT_MS);
  assert.equal(schema[`${SETTINGS_SECTION}.checkTimeout`]?.minimum, MIN_TIMEOUT_MS);
  assert.equal(schema[`${SETTINGS_SECTION}.checkTimeout`]?.maximum, MAX_TIMEOUT_MS);
  assert.deepEqual([MIN_TIMEOUT_MS, MAX_TIMEOUT_MS], [50, 60_000]);
  assert.equal(readSettings(source({ checkTimeout: 50 })).checkTimeoutMs, 50);
  assert.equal(readSettings(source({ checkTimeout: 60_000 })).checkTimeoutMs, 60_000);
  for (const bad of [49, 60_001, 1500.5, '3000', Number.NaN]) {
    const settings = readSettings(source({ checkTimeout: bad }));
    assert.equal(settings.checkTimeoutMs, 1500, String(bad));
    assert.match(settings.problems.join('\n'), /checkTimeout should be a whole number of milliseconds from 50 to 60000; using 1500/, String(bad));
  }
});

test('the defaults in package.json are the ones the code falls back to', () => {
  assert.equal(schema[`${SETTINGS_SECTION}.chain`]?.default, DEFAULT_CHAIN);
  assert.equal(schema[`${SETTINGS_SECTION}.refreshInterval`]?.default, DEFAULT_REFRESH_INTERVAL);
  assert.deepEqual(schema[`${SETTINGS_SECTION}.hosts`]?.default, []);
  assert.equal(schema[`${SETTINGS_SECTION}.confirmDestructiveActions`]?.default, true);
  assert.equal(schema[`${SETTINGS_SECTION}.verifyAfterChange`]?.default, true);
  assert.equal(schema[`${SETTINGS_SECTION}.notifyExposedPorts`]?.default, true);
  assert.deepEqual(
    Object.keys(schema).sort(),
    ['chain', 'checkTimeout', 'confirmDestructiveActions', 'hosts', 'knownHostsPath', 'maxParallelHosts', 'notifyExposedPorts', 'refreshInterval', 'sshConfigPath', 'verifyAfterChange'].map((k) => `${SETTINGS_SECTION}.${k}`),
  );
});

test('every setting has a markdown description and a scope; those that decide where we SSH cannot come from a workspace', () => {
  for (const [key, property] of Object.entries(schema)) {
    assert.ok((property.markdownDescription ?? '').length > 40, key);
    assert.ok(property.scope !== undefined, key);
  }
  for (const key of ['hosts', 'knownHostsPath', 'sshConfigPath', 'chain', 'confirmDestructiveActions']) {
    assert.equal(schema[`${SETTINGS_SECTION}.${key}`]?.scope, 'application', key);
  }
});

test('the chain pattern in package.json accepts what parseChainName accepts', () => {
  const pattern = new RegExp(schema[`${SETTINGS_SECTION}.chain`]?.pattern ?? '');
  for (const name of ['PRE_DOCKER', 'FW', 'my-chain_2', 'A23456789012345678901']) {
    assert.doesNotThrow(() => parseChainName(name));
    assert.match(name, pattern);
  }
  for (const name of ['', '1CHAIN', 'A234567890123456789012', 'DOCKER-USER', 'has space', 'x;y']) {
    assert.throws(() => parseChainName(name));
    assert.doesNotMatch(name, pattern);
  }
});

test('an invalid chain falls back to the default with a problem for the log', () => {
  const settings = readSettings(source({ chain: 'DOCKER-USER' }));
  assert.equal(settings.chain, 'PRE_DOCKER');
  assert.match(settings.problems[0] ?? '', /dockerFirewall\.chain/);
});

test('the refresh interval is whole seconds from 0 (off) to an hour', () => {
  assert.equal(readSettings(source({ refreshInterval: 0 })).refreshInterval, 0);
  assert.equal(readSettings(source({ refreshInterval: 2.6 })).refreshInterval, 3);
  assert.equal(readSettings(source({ refreshInterval: 1e9 })).refreshInterval, 3600);
  const bad = readSettings(source({ refreshInterval: -5 }));
  assert.equal(bad.refreshInterval, 10);
  assert.equal(bad.problems.length, 1);
});

test('paths: empty means the ssh default, ~ is the home folder', () => {
  assert.equal(pathSetting('', '/home/u'), undefined);
  assert.equal(pathSetting('  ', '/home/u'), undefined);
  assert.equal(pathSetting('~/.ssh/config', '/home/u'), '/home/u/.ssh/config');
  assert.equal(pathSetting('/etc/ssh/ssh_known_hosts', '/home/u'), '/etc/ssh/ssh_known_hosts');
});

test('confirmations can be turned off only explicitly', () => {
  assert.equal(readSettings(source({ confirmDestructiveActions: false })).confirmDestructiveActions, false);
  assert.equal(readSettings(source({ confirmDestructiveActions: 'no' })).confirmDestructiveActions, true);
});

test('the check from this machine after every change can be turned off only explicitly', () => {
  assert.equal(readSettings(source({ verifyAfterChange: false })).verifyAfterChange, false);
  assert.equal(readSettings(source({ verifyAfterChange: 'off' })).verifyAfterChange, true);
});
