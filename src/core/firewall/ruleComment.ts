import { InvalidInput } from '../errors';
import { parseCidr, parsePort, parseProto, type Cidr, type Proto } from '../validate';
import { parseUntilText, untilText } from './expiry';
import type { Allow } from './policy';

/**
 * Every rule we write carries a comment `docker-firewall:v1 <role> [args]`. The comments are how
 * our rules are told apart from anyone else's and how the policy is read back from the host (the
 * host is the source of truth). They are never trusted on their own: status re-renders each chain
 * from what its comments say and compares the result with the rules in force (see layoutCheck.ts).
 * The stored form of a port is `tcp/8080`, as first released; people read `8080/tcp` (port.ts).
 */
export const COMMENT_PREFIX = 'docker-firewall:v1';

export type RuleRole =
  | { readonly kind: 'established' }
  /** Forward policy: everything not let through above goes on to the chain of Docker's bridges. */
  | { readonly kind: 'to-bridges' }
  /** Input policy: everything not let through above goes on to the chain of host ports. */
  | { readonly kind: 'to-ports' }
  | { readonly kind: 'from-containers' }
  | { readonly kind: 'loopback' }
  /** The SSH port we are connected through, never dropped. */
  | { readonly kind: 'ssh' }
  | { readonly kind: 'allow'; readonly allow: Allow }
  /** New connections forwarded to a Docker bridge. */
  | { readonly kind: 'block' }
  /** New connections to a port served on the host's own sockets (docker-proxy, host-network containers, rootless Docker). */
  | { readonly kind: 'port'; readonly port: number; readonly proto: Proto }
  /** Written by Docker Firewall 0.1 in its IPv6 proxy chain; read so that an older lockdown can be replaced. */
  | { readonly kind: 'proxy-block'; readonly port: number; readonly proto: Proto }
  | { readonly kind: 'state'; readonly digest: string };

export function formatComment(role: RuleRole): string {
  switch (role.kind) {
    case 'allow': {
      const { port, endPort, proto, from, until } = role.allow;
      return `${COMMENT_PREFIX} allow ${proto}/${port}${endPort === undefined ? '' : `-${endPort}`}${from ? ` from=${from.text}` : ''}${until === undefined ? '' : ` until=${untilText(until)}`}`;
    }
    case 'port':
    case 'proxy-block':
      return `${COMMENT_PREFIX} ${role.kind} ${role.proto}/${role.port}`;
    case 'state':
      return `${COMMENT_PREFIX} state=${role.digest}`;
    case 'established':
    case 'to-bridges':
    case 'to-ports':
    case 'from-containers':
    case 'loopback':
    case 'ssh':
    case 'block':
      return `${COMMENT_PREFIX} ${role.kind}`;
  }
}

const PLAIN = ['established', 'to-bridges', 'to-ports', 'from-containers', 'loopback', 'ssh', 'block'] as const;

/** The role of one of our rules, or undefined for a comment that is not ours or that we cannot read. */
export function parseComment(comment: string): RuleRole | undefined {
  if (!comment.startsWith(`${COMMENT_PREFIX} `)) return undefined;
  const words = comment.slice(COMMENT_PREFIX.length + 1).split(' ');
  const [head, arg, ...extras] = words;
  try {
    if (head === undefined) return undefined;
    if (head.startsWith('state=') && words.length === 1) {
      const digest = head.slice('state='.length);
      return /^[0-9a-f]{12}$/.test(digest) ? { kind: 'state', digest } : undefined;
    }
    const plain = PLAIN.find((kind) => kind === head);
    if (plain !== undefined) return words.length === 1 ? { kind: plain } : undefined;
    if ((head === 'allow' || head === 'port' || head === 'proxy-block') && arg !== undefined) {
      const [protoText, portText, more] = arg.split('/');
      if (protoText === undefined || portText === undefined || more !== undefined) return undefined;
      const proto = parseProto(protoText);
      // Only an allow names a range (`tcp/18100-18110`), and only in the form formatComment writes.
      const range = head === 'allow' ? /^([0-9]{1,5})-([0-9]{1,5})$/.exec(portText) : null;
      const port = parsePort(range ? range[1]! : portText);
      const endPort = range ? parsePort(range[2]!) : undefined;
      if (endPort !== undefined && endPort <= port) return undefined;
      if (head !== 'allow') return words.length === 2 ? { kind: head, port, proto } : undefined;
      return allowRole(port, endPort, proto, extras);
    }
  } catch (error) {
    if (error instanceof InvalidInput) return undefined;
    throw error;
  }
  return undefined;
}

/** `[from=CIDR] [until=TIME]`, each at most once and in that order, nothing else. */
function allowRole(port: number, endPort: number | undefined, proto: Proto, extras: readonly string[]): RuleRole | undefined {
  let rest = extras;
  let from: Cidr | undefined;
  let until: number | undefined;
  if (rest[0]?.startsWith('from=')) {
    from = parseCidr(rest[0].slice('from='.length));
    rest = rest.slice(1);
  }
  if (rest[0]?.startsWith('until=')) {
    until = parseUntilText(rest[0].slice('until='.length));
    if (until === undefined) return undefined;
    rest = rest.slice(1);
  }
  if (rest.length > 0) return undefined;
  return { kind: 'allow', allow: { port, ...(endPort === undefined ? {} : { endPort }), proto, ...(from ? { from } : {}), ...(until === undefined ? {} : { until }) } };
}
