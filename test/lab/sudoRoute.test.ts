import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHost } from '../../src/core/hosts/openHost';
import { sha256Fingerprint } from '../../src/core/ssh/hostKey';
import { parseKnownHosts } from '../../src/core/ssh/knownHosts';
import type { SecretSubject } from '../../src/core/ssh/secretSubject';
import { isLabUp, labStatePath, loadLab, type Lab, type LabHost } from '../support/lab';
import { unmet } from '../support/requirements';

/**
 * sudoers decides per command. The lab user sudomixed (lab/lib/users.sh) needs a password for
 * everything but the docker CLI, which is NOPASSWD, and is not in the docker group: the firewall's
 * `sh` goes through `sudo -S` with the password, Docker through `sudo docker system dial-stdio`.
 * Given to `sudo -S` for docker, the password line is not read by sudo but relayed by dial-stdio to
 * the Docker socket (found so: Docker answered 400 to every request, the password its first bytes).
 *
 * To see what reaches the socket, a recorder runs on the host as root: a Unix socket only root may
 * open (so the SSH user must go through sudo), relaying to dockerd's and writing down every byte
 * that goes to it. Run from the lab's outside namespace: `ip netns exec dfw-out node
 * scripts/run-node-tests.mjs test/lab`.
 */
const skip = unmet('the lab with h1 and h2', labMissing() ?? false);

function labMissing(): string | undefined {
  if (!isLabUp()) return `the lab is not up (no ${labStatePath()}): bash lab/lab.sh up --docker 20,28`;
  const lab = loadLab();
  const outside = `/run/netns/${lab.outside.ns}`;
  if (!existsSync(outside) || statSync(outside).ino !== statSync('/proc/self/ns/net').ino) {
    return `not in the lab's outside namespace: run ip netns exec ${lab.outside.ns} node scripts/run-node-tests.mjs test/lab`;
  }
  if (!readFileSync(lab.sshConfig, 'utf8').includes('-sudomixed\n')) return `the lab has no user sudomixed yet: bash lab/lab.sh up again`;
  return undefined;
}

/** Runs as root on the host: argv socket, the socket it relays to, the file that records what goes to it. */
const RECORDER = `
const net = require('node:net');
const fs = require('node:fs');
const [listen, target, record] = process.argv.slice(1);
try { fs.unlinkSync(listen); } catch {}
const server = net.createServer((client) => {
  const daemon = net.createConnection(target);
  client.on('data', (chunk) => fs.appendFileSync(record, chunk));
  client.pipe(daemon).pipe(client);
  client.on('error', () => daemon.destroy());
  daemon.on('error', () => client.destroy());
});
server.listen(listen, () => {
  fs.chmodSync(listen, 0o600);
  process.stdout.write('listening\\n');
});
process.on('SIGTERM', () => {
  try { fs.unlinkSync(listen); } catch {}
  process.exit(0);
});
`;

interface Recorder {
  readonly socketPath: string;
  recorded(): string;
  stop(): Promise<void>;
}

async function startRecorder(host: LabHost, dir: string): Promise<Recorder> {
  const pid = readFileSync(host.holderPidFile, 'utf8').trim();
  assert.match(pid, /^[0-9]+$/);
  // Letters only in the name: it shows up in log lines that are checked for numbers.
  const socketPath = '/run/dfw-sudo-route-recorder.sock';
  const record = join(dir, `${host.name}.bytes`);
  const child: ChildProcess = spawn('nsenter', ['--target', pid, '--mount', '--net', '--', process.execPath, '-e', RECORDER, socketPath, host.dockerSocket, record], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`the recorder on ${host.name} did not start: ${stderr}`)), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!chunk.toString('utf8').includes('listening')) return;
      clearTimeout(timer);
      resolve();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`the recorder on ${host.name} exited ${String(code)}: ${stderr}`));
    });
  });
  return {
    socketPath,
    recorded: () => (existsSync(record) ? readFileSync(record).toString('latin1') : ''),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

describe('sudo decided per command, against the lab (sudomixed: a password for sh, NOPASSWD for docker)', { skip }, () => {
  let lab: Lab;
  let work: string;
  let password: string;

  before(() => {
    lab = loadLab();
    work = mkdtempSync(join(tmpdir(), 'dfw-lab-sudo-route-'));
    password = readFileSync(lab.sudoPasswordFile, 'utf8').trim();
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  test('the firewall is read with the password, Docker through sudo -n: the Docker socket never receives the password, and no log line tells it', async () => {
    for (const host of lab.hosts) {
      const recorder = await startRecorder(host, work);
      const logged: string[] = [];
      const accepted: SecretSubject[] = [];
      let asked = 0;
      const connection = openHost(
        { destination: `${host.name}-sudomixed`, sshConfigPath: lab.sshConfig, dockerSocket: recorder.socketPath },
        {
          askSudoPassword: () => {
            asked++;
            return Promise.resolve(password);
          },
          onSecretAccepted: (subject) => accepted.push(subject),
          log: (level, message) => logged.push(`${level} ${message}`),
        },
      );
      try {
        // The engine's read: the firewall script (sh, which needs the password) and Docker's API at once.
        const reading = await connection.engine.read();
        assert.ok(reading.inventory.containers.some((c) => c.name === 'web'), `${host.name}: Docker answered through the route`);
        // Docker's chains are there to be found only where Docker writes iptables rules (not on 29-nft).
        if (host.firewallBackend === 'iptables') assert.notEqual(reading.tables.variant, undefined, `${host.name}: the firewall was read (Docker's chains found)`);
        assert.equal(asked, 1, `${host.name}: one question for the session`);
        // The password is reported accepted once, for the account at the address connected to and the
        // host key that address proved (the lab's known_hosts holds it): what a saved one is keyed by.
        const known = parseKnownHosts(readFileSync(lab.knownHosts, 'utf8')).entries.find((e) => e.keyType === 'ssh-ed25519' && e.patterns?.includes(host.ipv4));
        assert.ok(known, `the lab's known_hosts has the ed25519 key of ${host.ipv4}`);
        assert.deepEqual(accepted, [{ kind: 'sudo', user: 'sudomixed', hostName: host.ipv4, port: 22, hostKey: sha256Fingerprint(known.key) }]);

        const commands = logged.filter((l) => l.includes(`${host.name}-sudomixed$ `));
        assert.ok(commands.some((l) => l.includes("sudo -S -k -p '' -- sh -c")), `${host.name}: sh needed the password:\n${commands.join('\n')}`);
        assert.ok(commands.some((l) => /sudo -n -- docker .* system dial-stdio \(stream\)$/.test(l)), `${host.name}: the streams went through sudo -n`);
        assert.ok(!commands.some((l) => /sudo -S .*-- docker /.test(l)), `${host.name}: docker never through sudo -S:\n${commands.join('\n')}`);

        const relayed = recorder.recorded();
        assert.match(relayed, /^GET \/containers\/json\?all=true HTTP\/1\.1\r$/m, `${host.name}: the recorder saw the API requests (positive control)`);
        assert.ok(!relayed.includes(password), `${host.name}: the password never reached the Docker socket`);
        for (const line of logged) {
          assert.ok(!line.includes(password), `${host.name}: a log line holds the password`);
          assert.doesNotMatch(line, /\bbytes?\b|stdin:/i, line);
        }
      } finally {
        connection.close();
        await recorder.stop();
      }
    }
  });
});
