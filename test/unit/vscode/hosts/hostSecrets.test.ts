import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Memento } from 'vscode';
import type { HostSecretSubject, SecretSubject } from '../../../../src/core/ssh/secretSubject';
import { HostSecrets, parseSecretIndex, secretStorageKey, secretsToForget, type SecretIndex } from '../../../../src/vscode/hosts/hostSecrets';
import { isPasswordPrompt, rememberQuestion, SecretAnswers } from '../../../../src/vscode/hosts/secretAnswers';

const KEY_A = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
const KEY_B = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
const deploy: HostSecretSubject = { kind: 'password', user: 'deploy', hostName: '203.0.113.7', port: 22, hostKey: KEY_A };

/** SecretStorage and Memento as VS Code gives them, in memory. */
function stores(): { secrets: Map<string, string>; state: Map<string, unknown>; hostSecrets: HostSecrets } {
  const secrets = new Map<string, string>();
  const state = new Map<string, unknown>();
  const hostSecrets = new HostSecrets(
    {
      get: (key) => Promise.resolve(secrets.get(key)),
      store: (key, value) => {
        secrets.set(key, value);
        return Promise.resolve();
      },
      delete: (key) => {
        secrets.delete(key);
        return Promise.resolve();
      },
    },
    {
      get: (key: string) => state.get(key),
      update: (key, value) => {
        if (value === undefined) state.delete(key);
        else state.set(key, JSON.parse(JSON.stringify(value)));
        return Promise.resolve();
      },
    } as Pick<Memento, 'get' | 'update'>,
  );
  return { secrets, state, hostSecrets };
}

/** SecretAnswers over the stores, with the user's answers scripted; records what the user was asked for. */
function answersOver(hostSecrets: HostSecrets, typed: (string | undefined)[]): { answers: SecretAnswers; askedUser: SecretSubject[] } {
  const askedUser: SecretSubject[] = [];
  const answers = new SecretAnswers(hostSecrets, (subject) => {
    askedUser.push(subject);
    return Promise.resolve(typed.shift());
  });
  return { answers, askedUser };
}

test('a saved password is offered for exactly its account and host key; another destination or key gets the user asked, not the secret', async () => {
  const { hostSecrets } = stores();
  await hostSecrets.remember('web', deploy, 'hunter2');
  const changed: HostSecretSubject[] = [
    { ...deploy, hostKey: KEY_B }, // the host key changed (reinstalled, or another machine)
    { ...deploy, hostName: '203.0.113.8' }, // the entry or its ssh config now points elsewhere
    { ...deploy, port: 2222 },
    { ...deploy, user: 'root' },
    { ...deploy, kind: 'sudo' },
  ];
  for (const subject of changed) {
    const { answers, askedUser } = answersOver(hostSecrets, ['typed']);
    assert.equal(await answers.answer(subject), 'typed', JSON.stringify(subject));
    assert.deepEqual(askedUser, [subject]);
  }
  const { answers, askedUser } = answersOver(hostSecrets, []);
  assert.equal(await answers.answer({ ...deploy }), 'hunter2');
  assert.deepEqual(askedUser, [], 'the same account and key: the saved one, without a question');
});

test('a saved secret asked for again was refused: it is deleted and the user asked', async () => {
  const { hostSecrets, secrets } = stores();
  await hostSecrets.remember('web', deploy, 'old-password');
  const { answers, askedUser } = answersOver(hostSecrets, ['new-password']);
  assert.equal(await answers.answer(deploy), 'old-password');
  assert.equal(await answers.answer(deploy), 'new-password');
  assert.deepEqual(askedUser, [deploy]);
  assert.equal(secrets.has(secretStorageKey(deploy)), false);
});

test('a typed secret is offered for remembering only once accepted, not when it came from the storage, and not again after "Not now"', async () => {
  const { hostSecrets } = stores();
  const { answers } = answersOver(hostSecrets, ['wrong', 'right', 'again']);
  assert.equal(answers.accepted(deploy), undefined, 'nothing typed yet');
  await answers.answer(deploy);
  await answers.answer(deploy);
  assert.equal(answers.accepted(deploy), 'right', 'the last answer, the one accepted');
  assert.equal(answers.accepted(deploy), undefined, 'once');
  answers.notNow(deploy);
  await answers.answer(deploy);
  assert.equal(answers.accepted(deploy), undefined);

  await hostSecrets.remember('web', { ...deploy, kind: 'sudo' }, 'sudo-pw');
  const fromStore = answersOver(hostSecrets, []);
  assert.equal(await fromStore.answers.answer({ ...deploy, kind: 'sudo' }), 'sudo-pw');
  assert.equal(fromStore.answers.accepted({ ...deploy, kind: 'sudo' }), undefined, 'already saved');
});

test('removing a host entry forgets what it saved and every password for the accounts it resolves to now, and nothing else', async () => {
  const { hostSecrets, secrets } = stores();
  const viaHop: HostSecretSubject = { ...deploy, user: 'jump', hostName: '198.51.100.7' };
  const passphrase: SecretSubject = { kind: 'passphrase', keyPath: '/home/me/.ssh/id', publicKey: KEY_B };
  const elsewhere: HostSecretSubject = { ...deploy, hostName: '192.0.2.50' };
  await hostSecrets.remember('web', deploy, 'a');
  await hostSecrets.remember('web', passphrase, 'b');
  // Saved while using another entry, but for an account web reaches (its ProxyJump hop).
  await hostSecrets.remember('db', viaHop, 'c');
  await hostSecrets.remember('db', elsewhere, 'd');
  assert.equal(secrets.size, 4);
  assert.equal(await hostSecrets.forget('web', ['deploy@203.0.113.7:22', 'jump@198.51.100.7:22']), 3);
  assert.deepEqual([...secrets.keys()], [secretStorageKey(elsewhere)]);
  assert.equal(await hostSecrets.forget('web'), 0, 'nothing left for web');
});

test('secretsToForget and parseSecretIndex are pure: malformed index entries are ignored', () => {
  const index: SecretIndex = {
    web: [{ key: 'dockerFirewall.secret:a', destination: 'deploy@203.0.113.7:22' }],
    db: [{ key: 'dockerFirewall.secret:b', destination: 'deploy@203.0.113.7:22' }, { key: 'dockerFirewall.secret:c' }],
  };
  assert.deepEqual(secretsToForget(index, 'web', []), ['dockerFirewall.secret:a']);
  assert.deepEqual(secretsToForget(index, 'web', ['deploy@203.0.113.7:22']), ['dockerFirewall.secret:a', 'dockerFirewall.secret:b']);
  assert.deepEqual(parseSecretIndex({ web: [{ key: 'dockerFirewall.secret:a' }, { key: 'other' }, 7], bad: 'x', alsoBad: [] }), {
    web: [{ key: 'dockerFirewall.secret:a', destination: undefined }],
  });
  assert.deepEqual(parseSecretIndex(null), {});
});

test('secrets saved under host entry names by 0.1 are deleted, with their index', async () => {
  const { hostSecrets, secrets, state } = stores();
  secrets.set('dockerFirewall:["web","password","deploy@web"]', 'old');
  secrets.set('dockerFirewall:["web","sudo","deploy@web"]', 'old-sudo');
  await hostSecrets.remember('web', deploy, 'new');
  state.set('dockerFirewall.secretKeys', { web: ['dockerFirewall:["web","password","deploy@web"]', 'dockerFirewall:["web","sudo","deploy@web"]'] });
  assert.equal(await hostSecrets.dropLegacy(), 2);
  assert.deepEqual([...secrets.keys()], [secretStorageKey(deploy)]);
  assert.equal(state.has('dockerFirewall.secretKeys'), false);
  assert.equal(await hostSecrets.dropLegacy(), 0);
});

test('the question names the account, address, port and host key; only password prompts are answered from the storage', () => {
  assert.equal(rememberQuestion(deploy), `Remember the password for deploy@203.0.113.7:22 (${KEY_A})?`);
  assert.equal(rememberQuestion({ ...deploy, kind: 'sudo' }), `Remember the sudo password for deploy@203.0.113.7:22 (${KEY_A})?`);
  assert.equal(rememberQuestion({ kind: 'passphrase', keyPath: '/k', publicKey: KEY_B }), `Remember the passphrase of the key /k (${KEY_B})?`);
  assert.ok(isPasswordPrompt(undefined) && isPasswordPrompt('Password:') && isPasswordPrompt("deploy's password:"));
  assert.ok(!isPasswordPrompt('Verification code:') && !isPasswordPrompt('OTP:'));
});
