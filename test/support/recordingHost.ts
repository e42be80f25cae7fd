// A Docker host recorded from the lab (test/fixtures/iptables), served by an in-process SSH server
// that records every exec command line exactly as it arrives over SSH, so that property tests can
// run the real engine and SSH session thousands of times and inspect what would reach a shell.
import type { ChainName } from '../../src/core/validate';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInventory } from '../../src/core/docker/inventory';
import type { Inventory } from '../../src/core/docker/inventoryModel';
import { FirewallEngine } from '../../src/core/hosts/firewallEngine';
import { type SshSession } from '../../src/core/ssh/sshSession';
import { generateKey, sessionToFakeServer, startFakeSshServer, type FakeServer } from './fakeSshServer';
import { REPO_ROOT } from './lab';

export type RecordedMajor = '20' | '28';

const fixture = (major: RecordedMajor, file: string) => readFileSync(join(REPO_ROOT, 'test/fixtures/iptables', `docker-${major}`, file), 'utf8');

/** The locked hosts recorded by lab/record-locked-fixtures.sh: their read report and inventory. */
export function recordedHost(major: RecordedMajor): { report: string; inventory: Inventory } {
  const json = (name: string): unknown => JSON.parse(fixture(major, `locked-${name}.json`));
  return { report: fixture(major, 'locked-report.txt'), inventory: buildInventory({ containers: json('containers'), version: json('version'), info: json('info') }) };
}

export interface RecordingServer {
  /** Exec command lines as received, in order. */
  readonly commands: string[];
  /** What the read command answers (a recorded report). */
  report: string;
  /** A session logged in as user (root: commands as they are; deploy: through sudo -n). */
  session(user: 'root' | 'deploy'): SshSession;
  engine(user: 'root' | 'deploy', inventory: Inventory, chain: ChainName): FirewallEngine;
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const hostKey = generateKey();
  const userKey = generateKey();
  const work = mkdtempSync(join(tmpdir(), 'dfw-rec-'));
  const state = { report: recordedHost('20').report };
  const server: FakeServer = await startFakeSshServer({
    hostKeys: [hostKey.private],
    users: { root: { publicKeys: [userKey.public] }, deploy: { publicKeys: [userKey.public], sudo: 'nopasswd' } },
    exec: (command, channel) => {
      const inner = command.startsWith('sudo -n -- ') ? command.slice('sudo -n -- '.length) : command;
      if (!inner.startsWith("sh -c '")) return false;
      channel.on('data', () => undefined);
      // Answers as the host would: the read with the recording, the apply and persist as done.
      const stdout = inner.includes('docker-firewall-apply') ? '### applied\n' : inner.includes('section persistence') ? state.report : '';
      if (stdout) channel.write(stdout);
      channel.exit(0);
      channel.end();
      return true;
    },
  });
  const keys = { hostPublicKey: hostKey.public, userPrivateKey: userKey.private };
  const sessions = new Map<string, SshSession>();
  const session = (user: 'root' | 'deploy') => {
    let s = sessions.get(user);
    if (s === undefined) {
      s = sessionToFakeServer(server, keys, work, { user, strictHostKeyChecking: 'yes' });
      sessions.set(user, s);
    }
    return s;
  };
  return {
    commands: server.commands,
    get report() {
      return state.report;
    },
    set report(text: string) {
      state.report = text;
    },
    session,
    engine: (user, inventory, chain) => new FirewallEngine(session(user), () => Promise.resolve(inventory), chain),
    close: async () => {
      for (const s of sessions.values()) s.close();
      await server.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
