import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshConfigError } from '../../../../src/core/errors';
import { listHostAliases, loadSshConfig, parseSshConfigText, resolveSshHost, type SshConfig } from '../../../../src/core/ssh/sshConfig';
import { sessionOptionsFromConfig } from '../../../../src/core/ssh/sshSessionOptions';

/** A fake home whose ~/.ssh is the fixture folder, so `Include config.d/*.conf` resolves as ssh would. */
async function fixtureConfig(): Promise<{ home: string; config: SshConfig; files: readonly string[]; cleanup: () => void }> {
  const home = mkdtempSync(join(tmpdir(), 'dfw-ssh-home-'));
  symlinkSync(join(__dirname, '../../../fixtures/ssh/config'), join(home, '.ssh'));
  const { config, files } = await loadSshConfig({ homeDir: home });
  return { home, config, files, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

const options = (home: string) => ({ homeDir: home, localUser: 'me' });

test('Include is followed (with its wildcard, in name order) and the files read are listed', async () => {
  const { home, files, cleanup } = await fixtureConfig();
  try {
    assert.deepEqual(
      files.map((f) => f.slice(home.length)),
      ['/.ssh/config', '/.ssh/config.d/10-work.conf', '/.ssh/config.d/20-loop.conf'],
    );
  } finally {
    cleanup();
  }
});

test('an alias resolves to HostName, User, IdentityFile (~, tokens, quotes, several), known_hosts files and timeouts', async () => {
  const { home, config, cleanup } = await fixtureConfig();
  try {
    const h1 = resolveSshHost(config, 'h1', options(home));
    assert.equal(h1.alias, 'h1');
    assert.equal(h1.hostName, '192.0.2.1');
    assert.equal(h1.user, 'root');
    assert.equal(h1.port, 22);
    assert.deepEqual(h1.identityFiles, [`${home}/.ssh/id_lab`, `${home}/.ssh/keys with space/root@192.0.2.1`, `${home}/.ssh/id_ed25519`]);
    assert.deepEqual(h1.userKnownHostsFiles, [`${home}/.ssh/known_hosts.lab`, '/dev/null']);
    assert.deepEqual(h1.globalKnownHostsFiles, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
    assert.equal(h1.strictHostKeyChecking, 'accept-new');
    assert.equal(h1.hashKnownHosts, true);
    assert.equal(h1.connectTimeoutMs, 5000);
    assert.equal(h1.keepaliveIntervalMs, 10000);
    assert.equal(h1.keepaliveCountMax, 2);
    assert.equal(h1.proxyJump, undefined);
    assert.deepEqual(h1.unsupported, []);
  } finally {
    cleanup();
  }
});

test('user and port given with the destination win over the file, as on the ssh command line', async () => {
  const { home, config, cleanup } = await fixtureConfig();
  try {
    const r = resolveSshHost(config, 'deploy@h1-alias:2200', options(home));
    assert.equal(r.hostName, '192.0.2.1');
    assert.equal(r.user, 'deploy');
    assert.equal(r.port, 2200);
    assert.deepEqual(r.identityFiles.slice(1, 2), [`${home}/.ssh/keys with space/deploy@192.0.2.1`]);
  } finally {
    cleanup();
  }
});

test('IdentitiesOnly turns the agent off in the session options; IdentityAgent none too', async () => {
  const { home, config, cleanup } = await fixtureConfig();
  try {
    const deploy = resolveSshHost(config, 'h1-deploy', options(home));
    assert.equal(deploy.port, 2222);
    assert.equal(deploy.identitiesOnly, true);
    assert.equal(sessionOptionsFromConfig(deploy).agent, false);
    const aliased = resolveSshHost(config, 'aliased', options(home));
    assert.equal(aliased.hostKeyAlias, 'aliased-key');
    assert.equal(aliased.identityAgent, 'none');
    assert.equal(sessionOptionsFromConfig(aliased).agent, false);
    assert.equal(sessionOptionsFromConfig(aliased).hostKeyAlias, 'aliased-key');
    assert.equal(sessionOptionsFromConfig(resolveSshHost(config, 'h1', options(home))).agent, undefined);
  } finally {
    cleanup();
  }
});

test('ProxyJump resolves each hop with the same logic; a later hop goes through the earlier one', async () => {
  const { home, config, cleanup } = await fixtureConfig();
  try {
    const behind = resolveSshHost(config, 'behind', options(home));
    assert.equal(behind.hostName, '10.0.0.5');
    assert.equal(behind.proxyJump?.alias, 'bastion');
    assert.equal(behind.proxyJump?.hostName, '198.51.100.7');
    assert.equal(behind.proxyJump?.user, 'deploy');
    assert.equal(behind.proxyJump?.port, 2200);
    assert.equal(behind.proxyJump?.strictHostKeyChecking, 'yes');

    const deep = resolveSshHost(config, 'deep', options(home));
    assert.equal(deep.proxyJump?.alias, 'h1');
    assert.equal(deep.proxyJump?.proxyJump?.alias, 'bastion');
    assert.equal(deep.proxyJump?.proxyJump?.proxyJump, undefined);

    const session = sessionOptionsFromConfig(deep);
    assert.equal(session.jump?.host, '192.0.2.1');
    assert.equal(session.jump?.jump?.host, '198.51.100.7');
  } finally {
    cleanup();
  }
});

test('a ProxyJump loop is an error, not a hang', async () => {
  const { home, config, cleanup } = await fixtureConfig();
  try {
    assert.throws(() => resolveSshHost(config, 'loop-a', options(home)), (e: unknown) => e instanceof SshConfigError && /ProxyJump chain/.test(e.message));
  } finally {
    cleanup();
  }
});

test('patterns, negations and Match host apply; unknown names get the defaults', async () => {
  const { home, config, cleanup } = await fixtureConfig();
  try {
    assert.equal(resolveSshHost(config, 'x.lab.test', options(home)).user, 'labuser');
    assert.equal(resolveSshHost(config, 'bad.lab.test', options(home)).user, 'me');
    const db = resolveSshHost(config, 'work-db', options(home));
    assert.equal(db.user, 'dba');
    assert.equal(db.port, 2022);
    assert.equal(resolveSshHost(config, 'work-web', options(home)).user, 'worker');
    const plain = resolveSshHost(config, 'plain.example.test', options(home));
    assert.deepEqual([plain.hostName, plain.user, plain.port, plain.strictHostKeyChecking], ['plain.example.test', 'me', 22, 'ask']);
    assert.deepEqual(plain.userKnownHostsFiles, [`${home}/.ssh/known_hosts`, `${home}/.ssh/known_hosts2`]);
  } finally {
    cleanup();
  }
});

test('a ProxyCommand (on the host or on a ProxyJump hop) is kept with its tokens expanded and quoted, its file and line, for the session to run', async () => {
  const home = mkdtempSync(join(tmpdir(), 'dfw-ssh-home-'));
  try {
    mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), 'Include config.d/*.conf\n\nHost direct\n  HostName 192.0.2.5\n  ProxyCommand none\n');
    writeFileSync(
      join(home, '.ssh', 'config.d', 'bastion.conf'),
      "# behind the bastion\nHost inner\n  HostName 10.0.0.5\n  User o'neil\n  ProxyCommand \"aws ssm start-session --target %h --parameters portNumber=%p # %r %n 100%%\"\n\nHost outer\n  HostName 10.0.0.6\n  ProxyJump inner\n\nHost odd\n  ProxyCommand nc %C 22\n",
    );
    const loaded = await loadSshConfig({ homeDir: home });
    const resolve = (alias: string) => resolveSshHost(loaded.config, alias, { ...options(home), configFile: loaded.files[0], sources: loaded.sources });
    const where = [`${home}/.ssh/config.d/bastion.conf:5`];

    const inner = resolve('inner');
    const command = "aws ssm start-session --target 10.0.0.5 --parameters portNumber=22 # 'o'\\''neil' inner 100%";
    assert.deepEqual(inner.proxyCommand, { command, locations: where, configFile: `${home}/.ssh/config` });
    assert.deepEqual(inner.unsupported, []);
    assert.equal(sessionOptionsFromConfig(inner).proxyCommand, command);
    // The hop carries it: the target goes through the hop, which runs its command.
    const outer = sessionOptionsFromConfig(resolve('outer'));
    assert.equal(outer.proxyCommand, undefined);
    assert.equal(outer.jump?.proxyCommand, command);
    // `ProxyCommand none` is no proxy.
    const direct = resolve('direct');
    assert.equal(direct.proxyCommand, undefined);
    assert.equal(sessionOptionsFromConfig(direct).host, '192.0.2.5');
    // A token ssh has and we do not expand is refused, not passed on raw.
    assert.throws(() => resolve('odd'), (e: unknown) => e instanceof SshConfigError && /the token %C in a ProxyCommand is not supported/.test(e.message));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('listHostAliases gives the concrete names in file order, without patterns', async () => {
  const { config, cleanup } = await fixtureConfig();
  try {
    assert.deepEqual(listHostAliases(config), ['work-db', 'loop-a', 'loop-b', 'h1', 'h1-alias', 'h1-deploy', 'behind', 'deep', 'bastion', 'legacy', 'aliased']);
  } finally {
    cleanup();
  }
});

test('Match exec is never run while resolving', () => {
  const marker = join(tmpdir(), `dfw-match-exec-${process.pid}`);
  const config = parseSshConfigText(`Match exec "touch ${marker}"\n  User evil\n`);
  assert.equal(resolveSshHost(config, 'h1', { homeDir: '/home/me', localUser: 'me' }).user, 'me');
  assert.equal(existsSync(marker), false);
});

test('a bad value in the file is an SshConfigError naming it', () => {
  const bad = (text: string): void => {
    assert.throws(() => resolveSshHost(parseSshConfigText(text), 'h1', { homeDir: '/h', localUser: 'me', configFile: 'cfg' }), SshConfigError);
  };
  bad('Host h1\n  Port 99999\n');
  bad('Host h1\n  HostName evil;id\n');
  bad('Host h1\n  StrictHostKeyChecking maybe\n');
  bad('Host h1\n  IdentityFile ~/.ssh/%C\n');
  bad('Host h1\n  ProxyJump "bad host"\n');
});

test('a missing config file is an empty one; an Include inside a Host applies under that Host only', async () => {
  const home = mkdtempSync(join(tmpdir(), 'dfw-ssh-home-'));
  try {
    assert.deepEqual((await loadSshConfig({ homeDir: home })).files, []);
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'inner'), 'User inner\n');
    writeFileSync(join(home, '.ssh', 'config'), 'Host a\n  Include inner\n  Port 2200\nHost b\n  HostName 192.0.2.2\n');
    const { config } = await loadSshConfig({ homeDir: home });
    const a = resolveSshHost(config, 'a', { homeDir: home, localUser: 'me' });
    assert.deepEqual([a.user, a.port], ['inner', 2200]);
    assert.equal(resolveSshHost(config, 'b', { homeDir: home, localUser: 'me' }).user, 'me');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
