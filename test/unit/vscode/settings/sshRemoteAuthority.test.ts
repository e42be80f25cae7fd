import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sshRemoteDestination, windowSshDestination } from '../../../../src/vscode/settings/sshRemoteAuthority';

const hex = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('hex');

test('ssh-remote+alias: the ssh config alias, resolved later like a typed destination', () => {
  assert.equal(sshRemoteDestination('ssh-remote+prod-1'), 'prod-1');
  assert.equal(sshRemoteDestination('ssh-remote+h1'), 'h1');
});

test('ssh-remote+user@host:port and host:port are kept as written', () => {
  assert.equal(sshRemoteDestination('ssh-remote+deploy@203.0.113.7:2222'), 'deploy@203.0.113.7:2222');
  assert.equal(sshRemoteDestination('ssh-remote+server.example.com:2200'), 'server.example.com:2200');
  assert.equal(sshRemoteDestination('ssh-remote+root@server'), 'root@server');
});

test('the hex-encoded JSON form Remote-SSH uses: hostName, user and port', () => {
  // What Remote-SSH wrote for a host typed as "deploy@Prod-Box:2222" (upper case needs the hex form).
  assert.equal(sshRemoteDestination('ssh-remote+7b22686f73744e616d65223a2250726f642d426f78222c2275736572223a226465706c6f79222c22706f7274223a323232327d'), 'deploy@Prod-Box:2222');
  assert.equal(sshRemoteDestination(`ssh-remote+${hex({ hostName: 'h1' })}`), 'h1');
  assert.equal(sshRemoteDestination(`ssh-remote+${hex({ hostName: 'h1', port: '22' })}`), 'h1:22');
  assert.equal(sshRemoteDestination(`ssh-remote+${hex({ hostName: 'h1', user: '' })}`), 'h1');
});

test('IPv6 literals: bare, bracketed with a port, and in the hex form (bracketed only with a port)', () => {
  assert.equal(sshRemoteDestination('ssh-remote+2001:db8:1::1'), '2001:db8:1::1');
  assert.equal(sshRemoteDestination('ssh-remote+root@[2001:db8:1::1]:2222'), 'root@[2001:db8:1::1]:2222');
  assert.equal(sshRemoteDestination(`ssh-remote+${hex({ hostName: '2001:db8:1::1', user: 'root', port: 22 })}`), 'root@[2001:db8:1::1]:22');
  assert.equal(sshRemoteDestination(`ssh-remote+${hex({ hostName: '[2001:db8:1::1]' })}`), '2001:db8:1::1');
  assert.equal(sshRemoteDestination(`ssh-remote+${hex({ hostName: '2001:db8:1::1' })}`), '2001:db8:1::1');
});

test('percent-encoded authorities are read decoded; the prefix is case-insensitive', () => {
  assert.equal(sshRemoteDestination('ssh-remote%2Bh1'), 'h1');
  assert.equal(sshRemoteDestination('SSH-REMOTE+h1'), 'h1');
});

test('an alias that happens to be hex is an alias', () => {
  assert.equal(sshRemoteDestination('ssh-remote+cafe'), 'cafe');
  assert.equal(sshRemoteDestination('ssh-remote+deadbeef'), 'deadbeef');
});

test('garbage and other remotes are ignored, never thrown', () => {
  for (const authority of [
    '',
    'ssh-remote+',
    'wsl+Ubuntu',
    'dev-container+abcdef',
    '127.0.0.1:8080',
    'ssh-remote+a b',
    'ssh-remote+h1;rm -rf /',
    'ssh-remote+%E0%A4%A',
    'ssh-remote+@host',
    'ssh-remote+a@b@c',
    'ssh-remote+[2001:db8::1',
    'ssh-remote+host:99999',
    `ssh-remote+${hex({ user: 'root' })}`,
    `ssh-remote+${hex({ hostName: 'a b' })}`,
    `ssh-remote+${hex({ hostName: 42 })}`,
    `ssh-remote+${hex([1, 2])}`,
    `ssh-remote+${hex({ hostName: 'h1', port: 0 })}`,
    `ssh-remote+${'7b'.repeat(400)}`,
    'ssh-remote+h1\u0000',
    'ssh-remote+hôte',
  ]) {
    assert.equal(sshRemoteDestination(authority), undefined, JSON.stringify(authority));
  }
});

test('the window host is the first vscode-remote folder with an ssh-remote authority', () => {
  assert.equal(
    windowSshDestination([
      { scheme: 'file', authority: '' },
      { scheme: 'vscode-remote', authority: '127.0.0.1:8080' },
      { scheme: 'vscode-remote', authority: 'ssh-remote+h2' },
      { scheme: 'vscode-remote', authority: 'ssh-remote+h1' },
    ]),
    'h2',
  );
  assert.equal(windowSshDestination([{ scheme: 'vscode-vfs', authority: 'ssh-remote+h1' }]), undefined);
  assert.equal(windowSshDestination([]), undefined);
});
