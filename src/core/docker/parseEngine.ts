import type { DockerEngine } from './inventoryModel';
import { JsonReader } from './json';

/** GET /version → engine and API version. */
export function parseVersion(json: unknown, source = 'GET /version'): Pick<DockerEngine, 'version' | 'apiVersion'> {
  const read = new JsonReader(source);
  const body = read.object(json, 'the body');
  return {
    version: read.string(body.Version, 'Version'),
    apiVersion: read.string(body.ApiVersion, 'ApiVersion'),
  };
}

/** GET /info → the firewall backend, which Docker reports from API 1.48 on (absent before). */
export function parseInfo(json: unknown, source = 'GET /info'): Pick<DockerEngine, 'firewallBackend'> {
  const read = new JsonReader(source);
  const body = read.object(json, 'the body');
  if (body.FirewallBackend === undefined || body.FirewallBackend === null) return { firewallBackend: undefined };
  const backend = read.object(body.FirewallBackend, 'FirewallBackend');
  return { firewallBackend: read.optionalString(backend.Driver, 'FirewallBackend.Driver') };
}

/**
 * Whether dockerd manages ip6tables by default: from Docker 27 on (`ip6tables` became default-on and
 * non-experimental). The daemon's actual setting is not in the API, so this is the version's default;
 * undefined when the version does not start with a number.
 */
export function ipv6FirewallByDefault(version: string): boolean | undefined {
  const major = /^(\d+)\./.exec(version)?.[1];
  return major === undefined ? undefined : Number(major) >= 27;
}

export function engineFrom(version: unknown, info: unknown): DockerEngine {
  const v = parseVersion(version);
  return { ...v, ...parseInfo(info), ipv6Firewall: ipv6FirewallByDefault(v.version) };
}
