import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { PortProto, PublishedPort } from '../firewall/port';
import type { ContainerNetwork, ContainerSummary } from './inventoryModel';
import { JsonReader, type JsonObject } from './json';

/**
 * GET /containers/json?all=1 → containers with their published ports. Docker lists a port once per
 * host address (0.0.0.0 and :: separately) and has been seen to repeat entries; exact repeats are
 * dropped, distinct addresses kept. Unpublished ports (no PublicPort) are left out: nothing reaches
 * them from outside the host's bridge.
 */
export function parseContainers(json: unknown, source = 'GET /containers/json'): ContainerSummary[] {
  const read = new JsonReader(source);
  return read
    .array(json, 'the body')
    .map((item, i) => parseContainer(read, read.object(item, `[${i}]`), `[${i}]`))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

function parseContainer(read: JsonReader, c: JsonObject, path: string): ContainerSummary {
  const id = read.string(c.Id, `${path}.Id`);
  const names = read.array(c.Names ?? [], `${path}.Names`).map((n, i) => read.string(n, `${path}.Names[${i}]`));
  const name = containerName(names) ?? id.slice(0, 12);
  return {
    id,
    name,
    image: read.string(c.Image, `${path}.Image`),
    state: read.string(c.State, `${path}.State`),
    status: read.optionalString(c.Status, `${path}.Status`) ?? '',
    networks: parseNetworks(read, c.NetworkSettings, `${path}.NetworkSettings`),
    networkMode: networkMode(read, c.HostConfig, `${path}.HostConfig`),
    ports: parsePorts(read, name, c.Ports, `${path}.Ports`),
  };
}

/** Names come as "/web", plus "/other/alias" for legacy links: the one without a second slash is the name. */
function containerName(names: readonly string[]): string | undefined {
  const own = names.find((n) => n.lastIndexOf('/') === 0) ?? names[0];
  return own?.replace(/^\//, '');
}

function parseNetworks(read: JsonReader, settings: unknown, path: string): ContainerNetwork[] {
  if (settings === undefined || settings === null) return [];
  const networks = read.object(settings, path).Networks;
  if (networks === undefined || networks === null) return [];
  return Object.entries(read.object(networks, `${path}.Networks`))
    .map(([name, value]) => {
      const n = read.object(value, `${path}.Networks.${name}`);
      const ipv4 = read.optionalString(n.IPAddress, `${path}.Networks.${name}.IPAddress`);
      const ipv6 = read.optionalString(n.GlobalIPv6Address, `${path}.Networks.${name}.GlobalIPv6Address`);
      const networkId = read.optionalString(n.NetworkID, `${path}.Networks.${name}.NetworkID`);
      if (ipv4 !== undefined && !isIPv4(ipv4)) read.fail(`${path}.Networks.${name}.IPAddress`, 'an IPv4 address');
      if (ipv6 !== undefined && !isIPv6(ipv6)) read.fail(`${path}.Networks.${name}.GlobalIPv6Address`, 'an IPv6 address');
      return { name, networkId, ipv4, ipv6 };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function networkMode(read: JsonReader, hostConfig: unknown, path: string): string {
  if (hostConfig === undefined || hostConfig === null) return '';
  return read.optionalString(read.object(hostConfig, path).NetworkMode, `${path}.NetworkMode`) ?? '';
}

const PROTOCOLS: readonly string[] = ['tcp', 'udp', 'sctp'] satisfies PortProto[];

function parsePorts(read: JsonReader, container: string, ports: unknown, path: string): PublishedPort[] {
  if (ports === undefined || ports === null) return [];
  const seen = new Map<string, PublishedPort>();
  read.array(ports, path).forEach((item, i) => {
    const p = read.object(item, `${path}[${i}]`);
    const containerPort = read.integer(p.PrivatePort, `${path}[${i}].PrivatePort`, 1, 65535);
    const hostPort = read.optionalInteger(p.PublicPort, `${path}[${i}].PublicPort`, 0, 65535);
    const proto = read.string(p.Type, `${path}[${i}].Type`);
    if (!PROTOCOLS.includes(proto)) read.fail(`${path}[${i}].Type`, 'tcp, udp or sctp');
    if (hostPort === undefined || hostPort === 0) return;
    const hostIp = read.optionalString(p.IP, `${path}[${i}].IP`) ?? '';
    if (hostIp !== '' && isIP(hostIp) === 0) read.fail(`${path}[${i}].IP`, 'an IP address');
    const binding: PublishedPort = { container, hostIp, hostPort, containerPort, proto: proto as PortProto };
    seen.set(`${hostIp}|${hostPort}|${containerPort}|${proto}`, binding);
  });
  return [...seen.values()].sort(
    (a, b) =>
      a.hostPort - b.hostPort ||
      a.proto.localeCompare(b.proto) ||
      a.containerPort - b.containerPort ||
      Number(isIPv6(a.hostIp)) - Number(isIPv6(b.hostIp)) ||
      a.hostIp.localeCompare(b.hostIp),
  );
}
