import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../../../src/core/docker/inventoryModel';
import type { Plan } from '../../../../src/core/firewall/plan';
import type { Variant } from '../../../../src/core/firewall/readFirewall';
import type { FirewallStatus } from '../../../../src/core/firewall/status';
import type { HostSnapshot } from '../../../../src/vscode/hosts/hostSnapshot';

/** A host as recorded from the lab (see each file's `recordedFrom`). */
export interface HostRecording {
  readonly recordedFrom: string;
  readonly variant: Variant | undefined;
  readonly inventory: Inventory;
  readonly firewall: FirewallStatus;
  /** What changes.block() would do to it, when it was recorded open. */
  readonly blockPlan?: Plan | undefined;
}

export const repoRoot = join(__dirname, '../../../..');

/** Reads a recording; one that does not parse, or lacks what a recording has, fails loudly with its path. */
export function recording(name: string): HostRecording {
  const path = join(__dirname, '../fixtures', `${name}.json`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: the recording does not parse (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const rec = value as Partial<Record<keyof HostRecording, unknown>>;
  const missing = (['recordedFrom', 'inventory', 'firewall'] as const).filter((k) => typeof rec[k] !== (k === 'recordedFrom' ? 'string' : 'object') || rec[k] === null);
  if (missing.length > 0) throw new Error(`${path}: not a host recording (no ${missing.join(', ')})`);
  return value as HostRecording;
}

export const READ_AT = new Date(2026, 10, 28, 12, 3, 4);

export function snapshotOf(rec: HostRecording): HostSnapshot {
  return { status: { inventory: rec.inventory, firewall: rec.firewall, readAt: READ_AT }, failure: undefined, loading: false };
}

export interface PackageJson {
  readonly activationEvents?: readonly string[];
  readonly icon?: string;
  readonly contributes: {
    readonly commands: readonly { command: string; title: string; category?: string; icon?: string }[];
    readonly menus: Readonly<Record<string, readonly { command: string; when?: string; group?: string }[]>>;
    readonly views: Readonly<Record<string, readonly { id: string; name: string; icon?: string }[]>>;
    readonly viewsContainers: { readonly activitybar: readonly { id: string; title: string; icon: string }[] };
    readonly viewsWelcome: readonly { view: string; contents: string; when?: string }[];
    readonly configuration: {
      readonly properties: Readonly<Record<string, { type: string; default: unknown; scope?: string; pattern?: string; markdownDescription?: string }>>;
    };
  };
}

export const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
