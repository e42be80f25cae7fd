import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostNameFromArg, portNodeFromArg } from '../../../../src/vscode/tree/nodeArgs';
import type { PortNode } from '../../../../src/vscode/tree/nodes';

const portNode: PortNode = {
  kind: 'port',
  hostName: 'h1',
  port: { container: 'web', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp', exposure: 'blocked', reason: '', origin: 'published', path: 'dnat', paths: ['dnat', 'proxy'] },
  locked: true,
  allows: [],
};

test('a handler finds its host in a tree node, in a host name, or nowhere (then it asks)', () => {
  assert.equal(hostNameFromArg({ kind: 'host', hostName: 'h1' }), 'h1');
  assert.equal(hostNameFromArg(portNode), 'h1');
  assert.equal(hostNameFromArg('h2'), 'h2');
  assert.equal(hostNameFromArg(undefined), undefined);
  assert.equal(hostNameFromArg(''), undefined);
  assert.equal(hostNameFromArg({ hostName: 3 }), undefined);
  // What a view title action passes: nothing useful.
  assert.equal(hostNameFromArg([]), undefined);
});

test('a port command recognises a port node, and nothing else', () => {
  assert.equal(portNodeFromArg(portNode), portNode);
  assert.equal(portNodeFromArg({ kind: 'host', hostName: 'h1' }), undefined);
  assert.equal(portNodeFromArg({ kind: 'port', hostName: 'h1', port: { hostPort: '8080', proto: 'tcp' } }), undefined);
  assert.equal(portNodeFromArg('h1'), undefined);
});
