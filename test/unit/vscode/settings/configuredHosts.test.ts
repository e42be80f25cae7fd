import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destinationProblem, configuredHostsJson, hostNameProblem, parseConfiguredHosts, uniqueHostName } from '../../../../src/vscode/settings/configuredHosts';

test('valid entries are kept, trimmed, with identityFile only when given', () => {
  const parsed = parseConfiguredHosts([
    { name: ' prod ', destination: 'deploy@203.0.113.7:2222', identityFile: '~/.ssh/prod' },
    { name: 'lab', destination: 'h1', identityFile: '' },
  ]);
  assert.deepEqual(parsed.hosts, [
    { name: 'prod', destination: 'deploy@203.0.113.7:2222', identityFile: '~/.ssh/prod' },
    { name: 'lab', destination: 'h1' },
  ]);
  assert.deepEqual(parsed.problems, []);
});

test('a missing name defaults to the destination', () => {
  assert.deepEqual(parseConfiguredHosts([{ destination: 'h1' }]).hosts, [{ name: 'h1', destination: 'h1' }]);
});

test('bad entries are left out with a reason that names the entry', () => {
  const parsed = parseConfiguredHosts(['h1', { name: 'x' }, { name: 'y', destination: 'a b' }, { name: 'z', destination: 'h1;rm -rf /' }, null]);
  assert.deepEqual(parsed.hosts, []);
  assert.equal(parsed.problems.length, 5);
  assert.match(parsed.problems[0] ?? '', /^dockerFirewall\.hosts\[0\]/);
  assert.match(parsed.problems[2] ?? '', /whitespace/);
});

test('a second host with the same name is left out', () => {
  const parsed = parseConfiguredHosts([
    { name: 'a', destination: 'h1' },
    { name: 'a', destination: 'h2' },
  ]);
  assert.deepEqual(parsed.hosts.map((h) => h.destination), ['h1']);
  assert.match(parsed.problems[0] ?? '', /already named "a"/);
});

test('a setting that is not an array yields no hosts and a problem; an unset one none and no problem', () => {
  assert.equal(parseConfiguredHosts({ name: 'a' }).problems.length, 1);
  assert.deepEqual(parseConfiguredHosts(undefined), { hosts: [], problems: [] });
});

test('destinations and names are checked as they are typed', () => {
  assert.equal(destinationProblem('deploy@203.0.113.7:2222'), undefined);
  assert.equal(destinationProblem('ssh://deploy@[2001:db8::1]:22'), undefined);
  assert.match(destinationProblem('') ?? '', /Give a destination/);
  assert.match(destinationProblem('deploy@host:99999') ?? '', /port/i);
  assert.equal(hostNameProblem('new', [{ name: 'old', destination: 'h' }]), undefined);
  assert.match(hostNameProblem('old', [{ name: 'old', destination: 'h' }]) ?? '', /already exists/);
  assert.match(hostNameProblem('  ', []) ?? '', /Give the host a name/);
});

test('unique names get a counter; JSON for the setting omits absent identity files', () => {
  const existing = [
    { name: 'h1', destination: 'h1' },
    { name: 'h1 (2)', destination: 'x' },
  ];
  assert.equal(uniqueHostName('h1', existing), 'h1 (3)');
  assert.equal(uniqueHostName('h2', existing), 'h2');
  assert.deepEqual(configuredHostsJson([{ name: 'a', destination: 'b' }]), [{ name: 'a', destination: 'b' }]);
});

test('a group is kept trimmed and written back; none, blank or unusable leaves the host outside any group', () => {
  const parsed = parseConfiguredHosts([
    { name: 'a', destination: 'h1', group: ' lab ' },
    { name: 'b', destination: 'h2', group: '' },
    { name: 'c', destination: 'h3', group: 7 },
    { name: 'd', destination: 'h4', group: 'x'.repeat(101) },
    { name: 'e', destination: 'h5', group: 'two\nlines' },
    { name: 'f', destination: 'h6' },
  ]);
  assert.deepEqual(parsed.hosts, [
    { name: 'a', destination: 'h1', group: 'lab' },
    { name: 'b', destination: 'h2' },
    { name: 'c', destination: 'h3' },
    { name: 'd', destination: 'h4' },
    { name: 'e', destination: 'h5' },
    { name: 'f', destination: 'h6' },
  ]);
  assert.equal(parsed.problems.length, 3);
  assert.match(parsed.problems[0] ?? '', /^dockerFirewall\.hosts\[2\]\.group should be a text/);
  assert.match(parsed.problems[1] ?? '', /^dockerFirewall\.hosts\[3\]\.group should be at most 100 characters/);
  assert.deepEqual(configuredHostsJson(parsed.hosts.slice(0, 2)), [
    { name: 'a', destination: 'h1', group: 'lab' },
    { name: 'b', destination: 'h2' },
  ]);
});
