// Lab hosts as recorded in test/fixtures (real iptables-save output and Engine API answers), run
// through the engine's own read pipeline: the parser, the state, the status and the plan that a
// live host would get. Unit tests of the views and the CLI take their hosts from here instead of
// hand-written snapshots of internal types.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInventory } from '../../src/core/docker/inventory';
import { firewallTables } from '../../src/core/firewall/firewallTables';
import { parseFirewallReport } from '../../src/core/firewall/readFirewall';
import type { FirewallStatus } from '../../src/core/firewall/status';
import { statusOfReading, type HostReading } from '../../src/core/hosts/firewallEngine';
import type { HostSnapshot } from '../../src/vscode/hosts/hostSnapshot';
import { RECORDING_NONCE } from '../../scripts/recordingNonce';
import { DEFAULT_CHAIN } from '../../src/core/validate';

export const FIXTURES = join(__dirname, '../fixtures');

export type DockerMajor = '20' | '28' | '29';

/** A recorded host: what was read, and the status the engine makes of it. */
export interface RecordedHost {
  /** Where it came from, for messages: "Docker 28, locked". */
  readonly label: string;
  readonly reading: HostReading;
  readonly firewall: FirewallStatus;
}

const text = (...path: string[]) => readFileSync(join(FIXTURES, ...path), 'utf8');

/** Reads a recorded JSON answer, naming the file when it does not parse. */
function json(...path: string[]): unknown {
  const body = text(...path);
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new Error(`test/fixtures/${path.join("/")} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** A lab host without lockdown, as lab/record-fixtures.sh recorded it (with hostnet, socat and custombr). */
export function openHost(major: DockerMajor): RecordedHost {
  const dir = `docker-${major}`;
  return recorded(`Docker ${major}, open`, text('docker', dir, 'report.txt'), recordedInventory('docker', dir, ''));
}

/** A lab host locked by our engine with three allows, as lab/record-locked-fixtures.sh recorded it. */
export function lockedHost(major: DockerMajor): RecordedHost {
  return recorded(`Docker ${major}, locked`, lockedReport(major), recordedInventory('iptables', `docker-${major}`, 'locked-'));
}

/**
 * Docker 20 h1 with a rootless dockerd beside its root one, no lockdown, as
 * lab/record-rootless-fixtures.sh recorded it: rootlesskit serves the rootless container's 8097.
 */
export function rootlessHost(): RecordedHost {
  return recorded('Docker 20 with a rootless dockerd, open', text('docker', 'rootless', 'report.txt'), recordedInventory('docker', 'rootless', ''));
}

/** The inventory of the Engine API answers recorded in test/fixtures/KIND/DIR/PREFIX*.json. */
function recordedInventory(kind: 'docker' | 'iptables' | 'nftables', dir: string, prefix: '' | 'locked-') {
  return buildInventory({
    containers: json(kind, dir, `${prefix}containers.json`),
    version: json(kind, dir, `${prefix}version.json`),
    info: json(kind, dir, `${prefix}info.json`),
    networks: json(kind, dir, `${prefix}networks.json`),
  });
}

/** A Docker 29 host with its nftables firewall backend, locked by our engine into its own nftables table (lab/record-locked-fixtures.sh). */
export function lockedNftablesHost(): RecordedHost {
  return recorded('Docker 29 (nftables backend), locked', text('nftables', 'docker-29-nft', 'locked-report.txt'), recordedInventory('nftables', 'docker-29-nft', 'locked-'));
}

/** The read report of a locked host, as recorded (sections marked with RECORDING_NONCE). */
export function lockedReport(major: DockerMajor): string {
  return text('iptables', `docker-${major}`, 'locked-report.txt');
}

/**
 * A recorded report as the host would print it for this read: the engine marks each read's sections
 * with a nonce of its own (readFirewall.ts), so a scripted host answers with that nonce in place of
 * the recording's.
 */
export function answerRead(report: string, argv: readonly string[]): string {
  const nonce = argv[4];
  if (nonce === undefined || !/^[0-9a-f]+$/.test(nonce)) throw new Error('not our read command');
  return report.replaceAll(`### ${RECORDING_NONCE} `, `### ${nonce} `);
}

/** A reading made from a recorded report, as the engine makes it from a live one. */
export function readingOf(report: string, inventory: HostReading['inventory']): HostReading {
  const raw = parseFirewallReport(report, '', 0, RECORDING_NONCE);
  return { inventory, tables: firewallTables(raw, DEFAULT_CHAIN, inventory.docker.firewallBackend), facts: raw.facts };
}

/** A host from a report of our read command (marked with RECORDING_NONCE) and an inventory, through the engine's read pipeline. */
export function recorded(label: string, report: string, inventory: HostReading['inventory']): RecordedHost {
  const reading = readingOf(report, inventory);
  return { label, reading, firewall: statusOfReading(reading) };
}

/** The time the views show as "Read at" for a recorded host. */
export const READ_AT = new Date(2026, 10, 28, 12, 3, 4);

/** What the extension holds after reading the host (the views draw from this). */
export function snapshotOf(host: Pick<RecordedHost, 'reading' | 'firewall'>): HostSnapshot {
  return { status: { inventory: host.reading.inventory, firewall: host.firewall, facts: host.reading.facts, readAt: READ_AT }, failure: undefined, loading: false };
}
