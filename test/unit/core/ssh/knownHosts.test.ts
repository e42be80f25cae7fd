import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyTypeOfBlob, orderHostKeyAlgorithms, sha256Fingerprint } from '../../../../src/core/ssh/hostKey';
import {
  appendKnownHostsLine,
  entryMatchesHost,
  formatKnownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
  readKnownHostsFiles,
  verifyHostKey,
} from '../../../../src/core/ssh/knownHosts';

const dir = join(__dirname, '../../../fixtures/ssh/known_hosts');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');
const keyBlob = (name: string): Buffer => {
  const blob = fixture(`keys/${name}.pub`).split(' ')[1];
  if (blob === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) throw new Error(`fixtures/ssh/known_hosts/keys/${name}.pub: no public key in it`);
  return Buffer.from(blob, 'base64');
};

interface Expected {
  fingerprints: Record<string, string>;
  lookups: { name: string; plainLines: number[]; hashedLines: number[] }[];
}
const expected = JSON.parse(fixture('expected.json')) as Expected;

/** `[host]:port` → host and port, as ssh-keygen -F was given them. */
function hostAndPort(name: string): [string, number] {
  const m = /^\[(.+)\]:(\d+)$/.exec(name);
  return m ? [m[1] ?? '', Number(m[2])] : [name, 22];
}

test('SHA256 fingerprints are exactly what ssh-keygen -l printed', () => {
  for (const [name, fingerprint] of Object.entries(expected.fingerprints)) {
    if (name === '_') continue;
    assert.equal(sha256Fingerprint(keyBlob(name)), fingerprint, name);
  }
});

test('the key type is read from inside the blob', () => {
  assert.equal(keyTypeOfBlob(keyBlob('h1-ed25519')), 'ssh-ed25519');
  assert.equal(keyTypeOfBlob(keyBlob('h1-ecdsa')), 'ecdsa-sha2-nistp256');
  assert.equal(keyTypeOfBlob(keyBlob('h1-rsa')), 'ssh-rsa');
  assert.equal(keyTypeOfBlob(Buffer.from([0, 0, 0])), undefined);
});

test('parsing keeps valid lines with markers and comments, and reports the rest as skipped', () => {
  const { entries, skipped } = parseKnownHosts(fixture('plain'), 'plain');
  assert.deepEqual(
    entries.map((e) => e.line),
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 14],
  );
  assert.equal(entries.find((e) => e.line === 3)?.comment, 'a comment with spaces');
  assert.equal(entries.find((e) => e.line === 9)?.marker, 'revoked');
  assert.equal(entries.find((e) => e.line === 10)?.marker, 'cert-authority');
  assert.deepEqual(
    skipped.map((s) => [s.line, s.reason]),
    [
      [11, 'unknown marker @unknown-marker'],
      [12, 'fewer than three fields'],
      [15, 'the key is not of type ssh-rsa'],
    ],
  );
});

test('host lookups match what ssh-keygen -F finds, in plain and in hashed files', () => {
  const plain = parseKnownHosts(fixture('plain'), 'plain').entries;
  const hashed = parseKnownHosts(fixture('hashed'), 'hashed').entries;
  assert.equal(hashed.length, 4);
  assert.ok(hashed.every((e) => e.hashed !== undefined));
  for (const lookup of expected.lookups) {
    if (lookup.name === '') continue;
    const [host, port] = hostAndPort(lookup.name);
    const linesOf = (entries: typeof plain): number[] => entries.filter((e) => entryMatchesHost(e, host, port)).map((e) => e.line);
    assert.deepEqual(linesOf(plain), lookup.plainLines, `plain ${lookup.name}`);
    assert.deepEqual(linesOf(hashed), lookup.hashedLines, `hashed ${lookup.name}`);
  }
});

test('verifyHostKey: the known key is trusted, another key for the host is a change, none is unknown', () => {
  const { entries } = parseKnownHosts(fixture('plain'), 'plain');
  const trusted = verifyHostKey(entries, 'h1.example.test', 22, keyBlob('h1-ecdsa'));
  assert.equal(trusted.kind, 'trusted');
  assert.equal(trusted.kind === 'trusted' && trusted.entry.line, 3);

  const changed = verifyHostKey(entries, '192.0.2.10', 22, keyBlob('attacker-ed25519'));
  assert.equal(changed.kind, 'changed');
  assert.deepEqual(changed.kind === 'changed' && changed.known.map((e) => e.line), [2]);

  // The RSA key is known for port 2222 only: on port 22 this host has other keys, so it changed.
  assert.equal(verifyHostKey(entries, 'h1.example.test', 2222, keyBlob('h1-rsa')).kind, 'trusted');
  assert.equal(verifyHostKey(entries, 'h1.example.test', 22, keyBlob('h1-rsa')).kind, 'changed');

  assert.equal(verifyHostKey(entries, 'nowhere.test', 22, keyBlob('h1-ed25519')).kind, 'unknown');
  // A @cert-authority line neither trusts a plain key nor makes the host "known".
  assert.equal(verifyHostKey(entries, 'other.example.test', 22, keyBlob('attacker-ed25519')).kind, 'unknown');
  // Negated patterns exclude the host.
  assert.equal(verifyHostKey(entries, 'app.lab.test', 22, keyBlob('h2-ed25519')).kind, 'trusted');
  assert.equal(verifyHostKey(entries, 'bad.lab.test', 22, keyBlob('h2-ed25519')).kind, 'unknown');
  // Host names compare without regard to case, as in OpenSSH.
  assert.equal(verifyHostKey(entries, 'H3.EXAMPLE.TEST', 22, keyBlob('h1-ed25519')).kind, 'trusted');
});

test('a key under @revoked is refused even for a host that also lists it as trusted', () => {
  const text = `${fixture('plain')}\nrevoked-host.test ${fixture('keys/revoked-ed25519.pub').split(' ').slice(0, 2).join(' ')}\n`;
  const verdict = verifyHostKey(parseKnownHosts(text).entries, 'revoked-host.test', 22, keyBlob('revoked-ed25519'));
  assert.equal(verdict.kind, 'revoked');
});

test('hashed entries verify like plain ones', () => {
  const { entries } = parseKnownHosts(fixture('hashed'), 'hashed');
  assert.equal(verifyHostKey(entries, '192.0.2.10', 22, keyBlob('h1-ed25519')).kind, 'trusted');
  assert.equal(verifyHostKey(entries, '2001:db8:1::10', 22022, keyBlob('h2-ed25519')).kind, 'trusted');
  assert.equal(verifyHostKey(entries, '2001:db8:1::10', 22022, keyBlob('h1-ed25519')).kind, 'changed');
});

test('known key types come in file order and put those algorithms first in the offer', () => {
  const { entries } = parseKnownHosts(fixture('plain'), 'plain');
  assert.deepEqual(knownKeyTypes(entries, 'h1.example.test', 2222), ['ssh-rsa']);
  assert.deepEqual(orderHostKeyAlgorithms(['ssh-rsa']).slice(0, 4), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
  assert.equal(orderHostKeyAlgorithms([]).length, 7);
});

test('formatted lines use [host]:port off port 22, and ssh-keygen -F finds them, hashed or not', () => {
  const work = mkdtempSync(join(tmpdir(), 'dfw-known-hosts-'));
  try {
    const file = join(work, 'known_hosts');
    const key = keyBlob('h1-ed25519');
    assert.equal(formatKnownHostsLine('H1.Example.Test', 22, key, { hashed: false }).split(' ')[0], 'h1.example.test');
    assert.equal(formatKnownHostsLine('2001:db8::1', 2222, key, { hashed: false }).split(' ')[0], '[2001:db8::1]:2222');
    const lines = [
      formatKnownHostsLine('plain.example.test', 22, key, { hashed: false, comment: 'added by test' }),
      formatKnownHostsLine('hashed.example.test', 22, key, { hashed: true }),
      formatKnownHostsLine('192.0.2.7', 2222, key, { hashed: true }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const find = (name: string): string => execFileSync('ssh-keygen', ['-F', name, '-f', file]).toString();
    assert.match(find('plain.example.test'), /found: line 1/);
    assert.match(find('hashed.example.test'), /found: line 2/);
    assert.match(find('[192.0.2.7]:2222'), /found: line 3/);
    // And our own reader agrees.
    const { entries } = parseKnownHosts(readFileSync(file, 'utf8'));
    assert.equal(verifyHostKey(entries, '192.0.2.7', 2222, key).kind, 'trusted');
    assert.equal(verifyHostKey(entries, '192.0.2.7', 22, key).kind, 'unknown');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a fixed salt gives the same hash as ssh-keygen -H', () => {
  const hashedLine = fixture('hashed').split('\n')[0] ?? '';
  const [field] = hashedLine.split(' ');
  const salt = Buffer.from(field?.split('|')[2] ?? '', 'base64');
  assert.equal(formatKnownHostsLine('h1.example.test', 22, keyBlob('h1-ed25519'), { hashed: true, salt }), hashedLine);
});

test('appending creates the file and folder, and keeps a last line without newline intact', async () => {
  const work = mkdtempSync(join(tmpdir(), 'dfw-known-hosts-'));
  try {
    const file = join(work, 'sub', 'known_hosts');
    const key = keyBlob('h1-ed25519');
    await appendKnownHostsLine(file, formatKnownHostsLine('a.test', 22, key, { hashed: false }));
    writeFileSync(file, readFileSync(file, 'utf8').trimEnd()); // as if edited by hand
    await appendKnownHostsLine(file, formatKnownHostsLine('b.test', 22, key, { hashed: false }));
    const read = await readKnownHostsFiles([file, join(work, 'missing')]);
    assert.deepEqual(
      read.entries.map((e) => [e.line, e.patterns]),
      [
        [1, ['a.test']],
        [2, ['b.test']],
      ],
    );
    await assert.rejects(appendKnownHostsLine(file, 'x\ny'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
