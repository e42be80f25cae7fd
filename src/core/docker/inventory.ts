import { engineFrom } from './parseEngine';
import { parseContainers } from './parseContainers';
import { parseNetworks } from './parseNetworks';
import type { Inventory } from './inventoryModel';

export type * from './inventoryModel';

/** The three Engine API calls an inventory needs; a DockerClient, or recorded JSON in tests. */
export interface DockerInventorySource {
  listContainers(options: { all: boolean; abortSignal?: AbortSignal | undefined }): Promise<unknown>;
  version(options: { abortSignal?: AbortSignal | undefined }): Promise<unknown>;
  info(options: { abortSignal?: AbortSignal | undefined }): Promise<unknown>;
  listNetworks(options: { abortSignal?: AbortSignal | undefined }): Promise<unknown>;
}

/** Reads containers, version, info and networks (in parallel, over the one SSH connection) and checks their shape. */
export async function readInventory(source: DockerInventorySource, signal?: AbortSignal): Promise<Inventory> {
  const [containers, version, info, networks] = await Promise.all([
    source.listContainers({ all: true, abortSignal: signal }),
    source.version({ abortSignal: signal }),
    source.info({ abortSignal: signal }),
    source.listNetworks({ abortSignal: signal }),
  ]);
  return buildInventory({ containers, version, info, networks });
}

/** The same from JSON already read (fixtures, a cache). */
export function buildInventory(raw: { containers: unknown; version: unknown; info: unknown; networks: unknown }): Inventory {
  return { docker: engineFrom(raw.version, raw.info), containers: parseContainers(raw.containers), networks: parseNetworks(raw.networks) };
}
