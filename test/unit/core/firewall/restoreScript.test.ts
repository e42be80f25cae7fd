import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleParts } from '../../../../src/core/remote/stdinBundle';
import { persistCommand, PERSIST_DIR, RESTORE_SCRIPT } from '../../../../src/core/firewall/persistence';
import { renderLayout, TABLES, tableOf, type FamilyLayout } from '../../../../src/core/firewall/layout';
import type { Policy } from '../../../../src/core/firewall/policy';
import { DEFAULT_CHAIN } from '../../../../src/core/validate';

/**
 * The restore script that persist installs runs after every dockerd start, when the lockdown is in
 * force. It used to delete our hooks and chains and then restore them: measured on the lab
 * (test/lab/reliability/reboot.test.ts), 2274 of 9288 connections to a blocked port got through
 * while it ran 40 times. Now each family is replaced in one iptables-restore transaction.
 */
const policy: Policy = { locked: true, allows: [{ port: 8080, proto: 'tcp' }] };
const context = (dockerUser: boolean) => ({ chain: DEFAULT_CHAIN, dockerUser, bridges: ['docker0', 'br-0123456789ab'], sshPort: 22, hostPorts: [{ port: 8081, proto: 'tcp' as const }] });
const ipv4: FamilyLayout = renderLayout('ipv4', policy, context(true));
const ipv6: FamilyLayout = renderLayout('ipv6', policy, context(true));

/** The files persistCommand writes, decoded from its script and its stdin bundle: path → content. */
function persistedFiles(v4: FamilyLayout, v6: FamilyLayout, variant: 'nft' | 'legacy' = 'nft'): Map<string, string> {
  const command = persistCommand(variant, DEFAULT_CHAIN, v4, v6);
  const script = command.argv[2]!;
  const parts = bundleParts(command.stdin ?? '');
  const files = new Map<string, string>();
  for (const [, path, index] of script.matchAll(/^ *write (\S+) 0[0-7]{3} ([0-9]+)$/gm)) files.set(path!, parts[Number(index) - 1]!);
  // What the script writes is exactly what the command says it writes.
  assert.deepEqual(files, new Map([...command.files, ...command.firewalldFiles].map((f) => [f.path, f.content])));
  return files;
}

test('the restore script changes iptables only through one iptables-restore per family', () => {
  const script = persistedFiles(ipv4, ipv6).get(RESTORE_SCRIPT)!;
  const mutating = script.split('\n').filter((l) => /"\$bin" -w (-D|-F|-X|-I|-A|-R|-Z|-P|-N)\b/.test(l));
  assert.deepEqual(mutating.map((l) => l.trim().replace(/^.* (\|\| "\$bin" -w -N DOCKER-USER).*$/, '$1')), ['|| "$bin" -w -N DOCKER-USER'], 'only Docker\'s missing chain is made outside the transaction');
  assert.equal(script.match(/"\$bin-restore" -w 10 --noflush/g)?.length, 1);
  assert.match(script, /^restore_family iptables-nft \/etc\/docker-firewall\/rules\.v4 \|\| exit 1$/m);
  assert.match(script, /^restore_family ip6tables-nft \/etc\/docker-firewall\/rules\.v6 \|\| exit 1$/m);
});

const root = process.getuid?.() === 0;

// Both variants: iptables-legacy-restore holds the xtables lock from its start, which the script must allow for.
for (const variant of ['nft', 'legacy'] as const) {
describe(`the restore script on real iptables-${variant}`, { skip: root ? false : 'needs root for a network namespace' }, () => {
  const v4bin = `iptables-${variant}`;
  const v6bin = `ip6tables-${variant}`;
  const ns = `dfwu-rs-${randomBytes(3).toString('hex')}`;
  let dir: string;
  let script: string;
  const inNs = (argv: string[], env: Record<string, string> = {}) =>
    spawnSync('ip', ['netns', 'exec', ns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], { encoding: 'utf8' });
  /** Our lines of both tables, each prefixed with its table. */
  const ours = (bin: string) =>
    TABLES.flatMap((table) =>
      execFileSync('ip', ['netns', 'exec', ns, `${bin}-save`, '-t', table], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => /PRE_DOCKER/.test(l) && !l.startsWith('#'))
        .map((l) => `${table} ${l.replace(/\[\d+:\d+\]/g, '[0:0]')}`),
    );
  const expected = (layout: FamilyLayout, bin: string) => [
    ...layout.chains.map((c) => `${tableOf(c)} :${c.name} - [0:0]`),
    ...layout.hooks.map((h) => `${tableOf(h)} -A ${h.from} ${h.spec}`),
    ...layout.chains.flatMap((c) => c.rules.map((r) => `${tableOf(c)} -A ${c.name} ${r}`)),
  ].sort().join('\n') + `\n(${bin})`;
  const actual = (bin: string) => `${ours(bin).sort().join('\n')}\n(${bin})`;
  const run = (env: Record<string, string> = {}) => {
    const result = inNs(['sh', '-c', script], env);
    assert.equal(result.status, 0, result.stderr);
  };

  before(() => {
    execFileSync('ip', ['netns', 'add', ns]);
    // Not under /tmp: the boot test hides /tmp, as a tmpfs mounted there during boot does.
    dir = mkdtempSync('/var/tmp/dfw-restore-');
    for (const [path, content] of persistedFiles(ipv4, ipv6, variant)) {
      if (path.startsWith(`${PERSIST_DIR}/`)) writeFileSync(join(dir, path.slice(PERSIST_DIR.length + 1)), content);
    }
    script = persistedFiles(ipv4, ipv6, variant).get(RESTORE_SCRIPT)!.replaceAll(`${PERSIST_DIR}/`, `${dir}/`);
  });
  after(() => {
    execFileSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('at boot (no Docker chain yet, /tmp not usable: the unit runs before file systems are mounted) it makes DOCKER-USER and puts the lockdown in', () => {
    const result = inNs(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o ro tmpfs /tmp && exec sh -c "$1"', 'sh', script]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(actual(v4bin), expected(ipv4, v4bin));
    assert.equal(actual(v6bin), expected(ipv6, v6bin));
  });

  test('with the lockdown in force, a run changes iptables in exactly one transaction per family and leaves the same rules', () => {
    // Shims before the real binaries log every call that would change something.
    const shims = join(dir, 'shims');
    execFileSync('mkdir', ['-p', shims]);
    for (const bin of [v4bin, v6bin, `${v4bin}-restore`, `${v6bin}-restore`]) {
      writeFileSync(
        join(shims, bin),
        `#!/bin/sh\ncase " $* " in *" -S "* | *" -L "*) ;; *) echo "${bin} $*" >> ${dir}/calls ;; esac\nexec /usr/sbin/${bin} "$@"\n`,
      );
      chmodSync(join(shims, bin), 0o755);
    }
    writeFileSync(join(dir, 'calls'), '');
    run({ PATH: `${shims}:/usr/sbin:/usr/bin:/sbin:/bin` });
    assert.deepEqual(readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n'), [`${v4bin}-restore -w 10 --noflush`, `${v6bin}-restore -w 10 --noflush`]);
    assert.equal(actual(v4bin), expected(ipv4, v4bin));
    assert.equal(actual(v6bin), expected(ipv6, v6bin));
  });

  test('outdated rules, a hook pushed down and a duplicate hook are replaced by the saved lockdown', () => {
    for (const argv of [
      [v4bin, '-A', DEFAULT_CHAIN, '-p', 'tcp', '--dport', '9', '-j', 'RETURN'],
      [v4bin, '-I', 'DOCKER-USER', '1', '-j', 'RETURN'],
      [v4bin, '-A', 'DOCKER-USER', '-j', DEFAULT_CHAIN],
      [v6bin, '-D', 'INPUT', '-j', 'PRE_DOCKER_INPUT'],
      // Docker Firewall 0.1's IPv6 chain and its hook, left over from before an upgrade.
      [v6bin, '-N', 'PRE_DOCKER_PROXY'],
      [v6bin, '-A', 'PRE_DOCKER_PROXY', '-p', 'tcp', '--dport', '8081', '-j', 'DROP'],
      [v6bin, '-I', 'INPUT', '1', '-j', 'PRE_DOCKER_PROXY'],
      [v4bin, '-t', 'security', '-I', 'FORWARD', '1', '-j', 'RETURN'],
      [v4bin, '-t', 'security', '-A', 'PRE_DOCKER_GUARD', '-j', 'RETURN'],
    ]) assert.equal(inNs(argv).status, 0);
    run();
    assert.equal(actual(v4bin), expected(ipv4, v4bin));
    assert.equal(actual(v6bin), expected(ipv6, v6bin));
    const dockerUser = inNs([v4bin, '-S', 'DOCKER-USER']).stdout.split('\n');
    assert.equal(dockerUser[1], '-A DOCKER-USER -j PRE_DOCKER', 'our hook is first');
    const securityForward = inNs([v4bin, '-t', 'security', '-S', 'FORWARD']).stdout.split('\n');
    assert.equal(securityForward[1], '-A FORWARD -j PRE_DOCKER_GUARD', 'the guard is first in security FORWARD');
  });

  test('a chain of ours that the saved lockdown no longer has is removed, with its hook, in the same transaction', () => {
    // Saved for IPv6: only the INPUT path (a host whose Docker makes no IPv6 DOCKER-USER); in force: the forwarded path too.
    const proxyOnly = renderLayout('ipv6', policy, context(false));
    assert.deepEqual(proxyOnly.chains.map((c) => c.name), ['PRE_DOCKER_INPUT', 'PRE_DOCKER_PORTS']);
    writeFileSync(join(dir, 'rules.v6'), persistedFiles(ipv4, proxyOnly, variant).get(`${PERSIST_DIR}/rules.v6`)!);
    run();
    assert.equal(actual(v6bin), expected(proxyOnly, v6bin));
    assert.equal(actual(v4bin), expected(ipv4, v4bin));
  });
});
}
