import type { DockerNetwork, GatewayMode } from './inventoryModel';
import { JsonReader, type JsonObject } from './json';

/**
 * GET /networks → Docker's networks, with the Linux bridge each bridge network uses: its
 * `com.docker.network.bridge.name` option (the default network's is docker0), else `br-` and the
 * first 12 characters of its id, as Docker names it. A bridge name we could not write into a rule
 * safely (not a plain interface name) is kept as unusable, never passed on: its ports are then
 * reported as not covered rather than the whole read failing.
 */
export function parseNetworks(json: unknown, source = 'GET /networks'): DockerNetwork[] {
  const read = new JsonReader(source);
  return read
    .array(json, 'the body')
    .map((item, i) => parseNetwork(read, read.object(item, `[${i}]`), `[${i}]`))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Linux interface names: at most 15 bytes; ours are only ever letters, digits, `_`, `.` and `-`. */
export const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

const GATEWAY_MODES: readonly string[] = ['nat', 'nat-unprotected', 'routed', 'isolated'] satisfies GatewayMode[];

function parseNetwork(read: JsonReader, n: JsonObject, path: string): DockerNetwork {
  const id = read.string(n.Id, `${path}.Id`);
  if (!/^[0-9a-f]{12,64}$/.test(id)) read.fail(`${path}.Id`, 'a hexadecimal network id');
  const name = read.string(n.Name, `${path}.Name`);
  const driver = read.optionalString(n.Driver, `${path}.Driver`) ?? '';
  const options = n.Options === undefined || n.Options === null ? {} : read.object(n.Options, `${path}.Options`);
  const option = (key: string) => read.optionalString(options[key], `${path}.Options["${key}"]`);
  const mode = (family: '4' | '6'): GatewayMode | undefined => {
    const value = option(`com.docker.network.bridge.gateway_mode_ipv${family}`);
    return value !== undefined && GATEWAY_MODES.includes(value) ? (value as GatewayMode) : undefined;
  };
  const ipam = n.IPAM === undefined || n.IPAM === null ? {} : read.object(n.IPAM, `${path}.IPAM`);
  const config = ipam.Config === undefined || ipam.Config === null ? [] : read.array(ipam.Config, `${path}.IPAM.Config`);
  const subnets = config.flatMap((c, i) => {
    const subnet = read.optionalString(read.object(c, `${path}.IPAM.Config[${i}]`).Subnet, `${path}.IPAM.Config[${i}].Subnet`);
    return subnet === undefined ? [] : [subnet];
  });
  let bridge: DockerNetwork['bridge'];
  if (driver === 'bridge') {
    const named = option('com.docker.network.bridge.name');
    const wanted = named ?? `br-${id.slice(0, 12)}`;
    bridge = INTERFACE_NAME.test(wanted) ? { name: wanted } : { name: undefined, unusable: wanted };
  }
  return {
    id,
    name,
    driver,
    bridge,
    internal: n.Internal === true,
    ipv6: n.EnableIPv6 === true,
    gatewayMode: { ipv4: mode('4'), ipv6: mode('6') },
    subnets,
  };
}
