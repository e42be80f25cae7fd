import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A Docker CLI context whose endpoint is `ssh://…`: a Docker host the user already reaches over SSH. */
export interface SshDockerContext {
  readonly name: string;
  /** The endpoint without `ssh://`: `[user@]host[:port]`. */
  readonly destination: string;
  readonly description?: string | undefined;
}

/**
 * Reads one `~/.docker/contexts/meta/<digest>/meta.json`:
 * `{"Name": "prod", "Metadata": {"Description": "…"}, "Endpoints": {"docker": {"Host": "ssh://deploy@prod"}}}`.
 * Undefined for contexts that do not go over SSH, and for JSON of another shape.
 */
export function sshContextFromMeta(json: unknown): SshDockerContext | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const meta = json as { Name?: unknown; Metadata?: unknown; Endpoints?: unknown };
  if (typeof meta.Name !== 'string' || meta.Name === '') return undefined;
  const endpoints = meta.Endpoints as { docker?: { Host?: unknown } } | undefined;
  const host = endpoints?.docker?.Host;
  if (typeof host !== 'string' || !host.startsWith('ssh://')) return undefined;
  const destination = host.slice('ssh://'.length).replace(/\/+$/, '');
  if (destination === '' || destination.includes('/')) return undefined;
  const description = (meta.Metadata as { Description?: unknown } | undefined)?.Description;
  return { name: meta.Name, destination, ...(typeof description === 'string' && description !== '' ? { description } : {}) };
}

/** Every SSH context of the Docker CLI, sorted by name; none when the folder does not exist. */
export async function listSshDockerContexts(dockerConfigDir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker')): Promise<SshDockerContext[]> {
  const metaDir = join(dockerConfigDir, 'contexts', 'meta');
  let digests: string[];
  try {
    digests = await readdir(metaDir);
  } catch {
    return [];
  }
  const contexts = await Promise.all(
    digests.map(async (digest) => {
      try {
        return sshContextFromMeta(JSON.parse(await readFile(join(metaDir, digest, 'meta.json'), 'utf8')));
      } catch {
        return undefined; // an unreadable or half-written context is not worth failing the list for
      }
    }),
  );
  return contexts.filter((c): c is SshDockerContext => c !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}
