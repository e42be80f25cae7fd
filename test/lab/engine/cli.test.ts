import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLabUp, labHost, loadLab, onHost, REPO_ROOT, type Lab } from '../../support/lab';
import { dockerFirewall, saveAll } from '../../support/cli';
import { probe, probeBlocked } from '../../support/probes';
import { needsLab } from '../../support/requirements';

/** The CLI's contract with scripts: exit codes, host-key handling, privilege errors, JSON shape. */
const skip = needsLab('docker-firewall command line', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

describe('docker-firewall command line', { skip }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dfw-cli-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('an unknown host key exits 3 and names its fingerprint; nothing runs', async () => {
    const empty = join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const before = await saveAll('h1');
    const result = await dockerFirewall(['--known-hosts', empty, 'block', 'h1']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /SHA256:[A-Za-z0-9+/]{43}/);
    assert.equal(await saveAll('h1'), before);
    assert.equal(readFileSync(empty, 'utf8'), '');
  });

  test('--accept-new records an unknown key, as OpenSSH does, and the next run trusts it', async () => {
    const file = join(dir, 'accept_known_hosts');
    writeFileSync(file, '');
    const first = await dockerFirewall(['--known-hosts', file, '--accept-new', 'status', 'h1']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(readFileSync(file, 'utf8'), /ssh-ed25519|ecdsa-sha2/);
    const second = await dockerFirewall(['--known-hosts', file, 'status', 'h1']);
    assert.equal(second.code, 0, second.stderr);
  });

  test('a changed host key exits 3, names both fingerprints, and nothing runs even with --accept-new', async () => {
    const attacker = readFileSync(join(REPO_ROOT, 'test/fixtures/ssh/known_hosts/keys/attacker-ed25519.pub'), 'utf8').split(' ');
    const file = join(dir, 'changed_known_hosts');
    writeFileSync(file, `192.0.2.1 ${attacker[0]} ${attacker[1]}\n`);
    const before = await saveAll('h1');
    const result = await dockerFirewall(['--known-hosts', file, '--accept-new', 'block', 'h1']);
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stderr.match(/SHA256:[A-Za-z0-9+/]{43}/g)?.length, 2, result.stderr);
    assert.equal(await saveAll('h1'), before);
  });

  test('a user with sudo (deploy) can read and change the firewall', async () => {
    const h1 = labHost(lab!, 'h1');
    const before = await saveAll('h1');
    const result = await dockerFirewall(['--json', 'status', 'h1-deploy']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { locked: boolean }).locked, false);
    const dry = await dockerFirewall(['block', 'h1-deploy', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(await saveAll('h1'), before, 'the dry run changed nothing');
    // The change itself, through sudo: the hook is in h1's iptables and the port is closed from outside.
    const blocked = await dockerFirewall(['block', 'h1-deploy', '--allow', '8080']);
    assert.equal(blocked.code, 0, blocked.stderr);
    try {
      assert.match((await onHost('h1', ['iptables-save', '-t', 'filter'])).stdout, /^-A DOCKER-USER -j PRE_DOCKER$/m);
      assert.equal(await probeBlocked(lab!.outside.ns, h1, { port: 8081, family: 'ipv4' }, { port: 8080, family: 'ipv4' }), 'timeout');
      const status = await dockerFirewall(['--json', 'status', 'h1-deploy']);
      assert.deepEqual((JSON.parse(status.stdout) as { locked: boolean; allows: unknown[] }).allows, [{ port: 8080, proto: 'tcp', from: null }]);
    } finally {
      const unblocked = await dockerFirewall(['unblock', 'h1-deploy']);
      assert.equal(unblocked.code, 0, unblocked.stderr);
    }
    assert.equal(await saveAll('h1'), before, 'unblock as deploy left the rules as they were');
    assert.equal(await probe(lab!.outside.ns, h1, { port: 8081, family: 'ipv4' }), 'open');
  });

  test('a user without sudo or docker gets a clear error with exit 1 and nothing changes', async () => {
    const before = await saveAll('h1');
    const result = await dockerFirewall(['block', 'h1-nosudo']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nosudo/);
    assert.match(result.stderr, /docker group|sudo/);
    assert.equal(await saveAll('h1'), before);
  });

  test('an unreachable host exits 1 with the reason', async () => {
    const result = await dockerFirewall(['status', 'root@192.0.2.250']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /192\.0\.2\.250/);
  });

  test('bad usage exits 2 before connecting, even to a host that does not exist', async () => {
    for (const args of [['allow', 'root@192.0.2.250', '80;id'], ['block'], ['status', 'bad host'], ['status', 'h1', '--frobnicate'], ['status', 'h1\nid']]) {
      const result = await dockerFirewall(args);
      assert.equal(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`);
    }
  });

  test('allow, deny or persist on a host that is not locked exits 4, names the command that locks it as meant, and changes nothing', async () => {
    assert.equal((await dockerFirewall(['unblock', 'h1'])).code, 0);
    const before = await saveAll('h1');
    const cli = `docker-firewall --ssh-config ${lab!.sshConfig}`;
    for (const [args, remedy] of [
      [['allow', 'h1', '8080'], `Run \`${cli} block h1 --allow 8080\` to lock it with 8080 open.`],
      [['allow', 'h1', '8080', '--dry-run'], `Run \`${cli} block h1 --allow 8080\``],
      [['allow', 'h1', '5353/udp', '--from', '192.0.2.100'], `Run \`${cli} block h1\` and then \`${cli} allow h1 5353/udp --from 192.0.2.100/32\``],
      [['deny', 'h1', '8080'], `Run \`${cli} block h1\` to block external access to every published port`],
    ] as const) {
      const result = await dockerFirewall(args);
      assert.equal(result.code, 4, `${JSON.stringify(args)}: ${result.stderr}`);
      assert.match(result.stderr, /^docker-firewall: h1: h1 is not locked: every published port(,| is already) /);
      assert.ok(result.stderr.includes(remedy), result.stderr);
      assert.match(result.stderr, /Nothing was changed\.$/m);
      assert.equal(result.stdout, '');
    }
    const persist = await dockerFirewall(['persist', 'h1']);
    assert.equal(persist.code, 4, persist.stderr);
    assert.match(persist.stderr, /not locked, so there is no lockdown to make persistent: block it first\. Nothing was changed\.$/m);
    assert.equal(await saveAll('h1'), before);
    // The command it names does what was meant; allow then works as on any locked host.
    assert.equal((await dockerFirewall(['block', 'h1', '--allow', '8080'])).code, 0);
    const again = await dockerFirewall(['allow', 'h1', '8080']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already so: nothing changed/);
    assert.equal((await dockerFirewall(['unblock', 'h1'])).code, 0);
    assert.equal(await saveAll('h1'), before);
  });

  test('status --json has the documented fields', async () => {
    const result = await dockerFirewall(['--json', 'status', 'h2']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    for (const key of ['locked', 'chain', 'allows', 'ports', 'rules', 'warnings']) assert.ok(key in json, key);
    const port = (json.ports as Record<string, unknown>[])[0]!;
    for (const key of ['container', 'hostIp', 'hostPort', 'containerPort', 'proto', 'exposure']) assert.ok(key in port, key);
    assert.ok('ipv4' in (json.rules as object) && 'ipv6' in (json.rules as object));
  });

  test('ps --json lists containers with their ports and exposure', async () => {
    const result = await dockerFirewall(['--json', 'ps', 'h1']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { containers: { name: string; ports: { exposure: string }[] }[] };
    const names = json.containers.map((c) => c.name);
    for (const name of ['web', 'app', 'admin', 'dns', 'worker']) assert.ok(names.includes(name), name);
    assert.equal(json.containers.find((c) => c.name === 'admin')?.ports[0]?.exposure, 'local-only');
  });
});
