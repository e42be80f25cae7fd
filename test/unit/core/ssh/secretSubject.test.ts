import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Fingerprint } from '../../../../src/core/ssh/hostKey';
import {
  describeSecretSubject,
  destinationOf,
  publicKeyOfKeyFile,
  secretSubjectId,
  type HostSecretSubject,
  type SecretSubject,
} from '../../../../src/core/ssh/secretSubject';
import { generateKey, publicBlob } from '../../../support/fakeSshServer';

const KEY_A = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
const KEY_B = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
const base: HostSecretSubject = { kind: 'password', user: 'deploy', hostName: '203.0.113.7', port: 22, hostKey: KEY_A };

test('a host secret is named by user@HostName:port and the host key, as a person reads it', () => {
  assert.equal(describeSecretSubject(base), `deploy@203.0.113.7:22 (${KEY_A})`);
  assert.equal(describeSecretSubject({ ...base, hostName: '2001:db8::7', port: 2222 }), `deploy@[2001:db8::7]:2222 (${KEY_A})`);
  assert.equal(destinationOf('deploy', '2001:db8::7', 22), 'deploy@[2001:db8::7]:22');
  assert.equal(describeSecretSubject({ kind: 'passphrase', keyPath: '/home/me/.ssh/id_ed25519', publicKey: KEY_B }), `the key /home/me/.ssh/id_ed25519 (${KEY_B})`);
});

test('the subject id changes with every field: another user, address, port, host key or kind is another secret', () => {
  const variants: SecretSubject[] = [
    base,
    { ...base, user: 'root' },
    { ...base, hostName: '203.0.113.8' },
    { ...base, hostName: 'h1' },
    { ...base, port: 2222 },
    { ...base, hostKey: KEY_B },
    { ...base, kind: 'sudo' },
    { kind: 'passphrase', keyPath: '/k', publicKey: KEY_A },
    { kind: 'passphrase', keyPath: '/k2', publicKey: KEY_A },
    { kind: 'passphrase', keyPath: '/k', publicKey: KEY_B },
  ];
  const ids = variants.map(secretSubjectId);
  assert.equal(new Set(ids).size, variants.length, ids.join('\n'));
  // The same fields give the same id, whatever the object.
  assert.equal(secretSubjectId({ ...base }), secretSubjectId(base));
  // Fields cannot run into each other: a user with "@" in it and a host are kept apart.
  assert.notEqual(secretSubjectId({ ...base, user: 'a', hostName: 'b@c' }), secretSubjectId({ ...base, user: 'a@b', hostName: 'c' }));
});

test('the public key of an encrypted OpenSSH key file is read without its passphrase', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfw-subject-'));
  try {
    const pair = generateKey('a passphrase');
    const path = join(dir, 'id_ed25519');
    writeFileSync(path, pair.private);
    assert.equal(await publicKeyOfKeyFile(path, readFileSync(path)), sha256Fingerprint(publicBlob(pair.public)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('for a PEM key the .pub beside it says the public key; without one, the file digest stands in and changes with the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfw-subject-'));
  try {
    const pem = (passphrase: string): string =>
      generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase },
      }).privateKey;
    const path = join(dir, 'id_rsa');
    writeFileSync(path, pem('one'));
    const digest = await publicKeyOfKeyFile(path, readFileSync(path));
    assert.match(digest, /^file SHA256:[A-Za-z0-9+/]{43}$/);
    writeFileSync(path, pem('two'));
    assert.notEqual(await publicKeyOfKeyFile(path, readFileSync(path)), digest);

    const other = generateKey();
    writeFileSync(`${path}.pub`, `${other.public}\n`);
    assert.equal(await publicKeyOfKeyFile(path, readFileSync(path)), sha256Fingerprint(publicBlob(other.public)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
