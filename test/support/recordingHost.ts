// A Docker host recorded from the lab (test/fixtures/iptables), served by an in-process SSH server
// that records every exec command line exactly as it arrives over SSH, so that property tests can
// run the real engine and SSH session thousands of times and inspect what would reach a shell.
import type { ChainName } from '../../src/core/validate';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '../../src/core/docker/inventoryModel';
import { isReadCommand } from '../../src/core/firewall/readFirewall';
import { FirewallEngine } from '../../src/core/hosts/firewallEngine';
import { type SshSession } from '../../src/core/ssh/sshSession';
import { shellWords } from './commandLines';
import { generateKey, sessionToFakeServer, startFakeSshServer, type FakeServer } from './fakeSshServer';
import { answerRead, lockedHost, lockedReport, type DockerMajor } from './recordedHosts';

export type RecordedMajor = DockerMajor;

/** The locked hosts recorded by lab/record-locked-fixtures.sh: their read report and inventory. */
export function recordedHost(major: RecordedMajor): { report: string; inventory: Inventory } {
  return { report: lockedReport(major), inventory: lockedHost(major).reading.inventory };
}

/** A command line as the server received it, and the standard input it got. */
export interface SentCommand {
  readonly line: string;
  readonly stdin: string;
}

export interface RecordingServer {
  /** Exec command lines as received, in order. */
  readonly commands: string[];
  /** The same commands with what each got on stdin (in the order they arrived). */
  readonly sent: readonly SentCommand[];
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
  const sent: SentCommand[] = [];
  const server: FakeServer = await startFakeSshServer({
    hostKeys: [hostKey.private],
    users: { root: { publicKeys: [userKey.public] }, deploy: { publicKeys: [userKey.public], sudo: 'nopasswd' } },
    exec: (command, channel) => {
      const inner = command.startsWith('sudo -n -- ') ? command.slice('sudo -n -- '.length) : command;
      if (!inner.startsWith("sh -c '")) return false;
      // Answers once all of stdin is in, as the host would: the read with the recording, the apply and persist as done.
      const entry = { line: command, stdin: '' };
      sent.push(entry);
      const chunks: Buffer[] = [];
      channel.on('data', (chunk: Buffer) => chunks.push(chunk));
      channel.on('end', () => {
        entry.stdin = Buffer.concat(chunks).toString('utf8');
        const argv = shellWords(inner);
        const stdout = argv[3] === 'docker-firewall-apply' ? '### applied\n' : argv[3] === 'docker-firewall-persist' ? '### firewalld absent\n### systemd\n' : isReadCommand(argv) ? answerRead(state.report, argv) : '';
        if (stdout) channel.write(stdout);
        channel.exit(0);
        channel.end();
      });
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
    sent,
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
