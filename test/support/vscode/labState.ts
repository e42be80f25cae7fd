// The lab as the extension-host suite sees it. runExtensionTests.ts passes the path of the lab's
// state.json in DFW_LAB_STATE (and configures the extension with the lab's hosts); the suite runs in
// the lab's outside namespace, so the hosts' addresses are reached directly, as from a user's machine.
import { readFileSync } from 'node:fs';

export interface SuiteLabHost {
  /** "h1", "h2": the configured host's name and its ssh alias. */
  readonly name: string;
  /** Its network namespace (`<lab>-hI`). */
  readonly ns: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly dockerMajor: number;
}

/** A client machine of the lab: its namespace and the addresses the hosts see it at. */
export interface SuiteLabClient {
  readonly ns: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface SuiteLab {
  readonly name: string;
  /** Where the suite runs (the user's machine), and the lab's second client. */
  readonly outside: SuiteLabClient;
  readonly outside2: SuiteLabClient;
  readonly statePath: string;
  readonly sshConfig: string;
  readonly knownHosts: string;
  readonly hosts: readonly SuiteLabHost[];
}

/** Reads the lab named by DFW_LAB_STATE; throws a message that says how to provide it. */
export function readSuiteLab(env: NodeJS.ProcessEnv = process.env): SuiteLab {
  const statePath = env.DFW_LAB_STATE;
  if (statePath === undefined || statePath === '') {
    throw new Error('DFW_LAB_STATE is not set: run the suite with test/vscode/runExtensionTests.ts, which reads the lab (LAB_NAME, default dfw)');
  }
  const raw: unknown = JSON.parse(readFileSync(statePath, 'utf8'));
  const state = object(raw, statePath);
  const hosts = state.hosts;
  if (!Array.isArray(hosts) || hosts.length === 0) throw new Error(`${statePath}: no hosts`);
  // The hosts the extension was configured with (runExtensionTests.ts): not every host of the lab.
  const wanted = (env.DFW_SUITE_HOSTS ?? '').split(',').filter((n) => n !== '');
  return {
    name: text(state, 'name', statePath),
    outside: client(state.outside, `${statePath} outside`),
    outside2: client(state.outside2, `${statePath} outside2`),
    statePath,
    sshConfig: text(state, 'sshConfig', statePath),
    knownHosts: text(state, 'knownHosts', statePath),
    hosts: hosts
      .map((value: unknown, i): SuiteLabHost => {
        const host = object(value, `${statePath} hosts[${i}]`);
        const major = host.dockerMajor;
        if (typeof major !== 'number') throw new Error(`${statePath} hosts[${i}]: dockerMajor must be a number`);
        return {
          name: text(host, 'name', statePath),
          ns: text(host, 'ns', statePath),
          ipv4: text(host, 'ipv4', statePath),
          ipv6: text(host, 'ipv6', statePath),
          dockerMajor: major,
        };
      })
      .filter((host) => wanted.length === 0 || wanted.includes(host.name)),
  };
}

function client(value: unknown, where: string): SuiteLabClient {
  const record = object(value, where);
  return { ns: text(record, 'ns', where), ipv4: text(record, 'ipv4', where), ipv6: text(record, 'ipv6', where) };
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be an object`);
  return value as Record<string, unknown>;
}

function text(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') throw new Error(`${where}: ${key} must be a non-empty string`);
  return value;
}
