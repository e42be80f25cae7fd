import { InvalidInput } from '../errors';
import { parseCidr, parsePort, parseProto } from '../validate';
import type { Allow } from './policy';

/**
 * Every rule we write carries a comment `docker-firewall:v1 <role> [args]`. The comments are how
 * the policy is read back from the host (the host is the source of truth) and how our rules are
 * told apart from anyone else's.
 */
export const COMMENT_PREFIX = 'docker-firewall:v1';

export type RuleRole =
  | { readonly kind: 'established' }
  | { readonly kind: 'from-containers' }
  | { readonly kind: 'loopback' }
  | { readonly kind: 'allow'; readonly allow: Allow }
  | { readonly kind: 'block' }
  | { readonly kind: 'proxy-block'; readonly port: number; readonly proto: 'tcp' | 'udp' }
  | { readonly kind: 'state'; readonly digest: string };

export function formatComment(role: RuleRole): string {
  switch (role.kind) {
    case 'allow': {
      const { port, proto, from } = role.allow;
      return `${COMMENT_PREFIX} allow ${proto}/${port}${from ? ` from=${from.text}` : ''}`;
    }
    case 'proxy-block':
      return `${COMMENT_PREFIX} proxy-block ${role.proto}/${role.port}`;
    case 'state':
      return `${COMMENT_PREFIX} state=${role.digest}`;
    case 'established':
    case 'from-containers':
    case 'loopback':
    case 'block':
      return `${COMMENT_PREFIX} ${role.kind}`;
  }
}

/** The role of one of our rules, or undefined for a comment that is not ours or that we cannot read. */
export function parseComment(comment: string): RuleRole | undefined {
  if (!comment.startsWith(`${COMMENT_PREFIX} `)) return undefined;
  const words = comment.slice(COMMENT_PREFIX.length + 1).split(' ');
  const [head, arg, extra] = words;
  try {
    if (head === undefined) return undefined;
    if (head.startsWith('state=') && words.length === 1) {
      const digest = head.slice('state='.length);
      return /^[0-9a-f]{12}$/.test(digest) ? { kind: 'state', digest } : undefined;
    }
    if ((head === 'established' || head === 'from-containers' || head === 'loopback' || head === 'block') && words.length === 1) {
      return { kind: head };
    }
    if ((head === 'allow' || head === 'proxy-block') && arg !== undefined) {
      const [protoText, portText] = arg.split('/');
      if (protoText === undefined || portText === undefined) return undefined;
      const proto = parseProto(protoText);
      const port = parsePort(portText);
      if (head === 'proxy-block') return words.length === 2 ? { kind: 'proxy-block', port, proto } : undefined;
      if (extra === undefined) return words.length === 2 ? { kind: 'allow', allow: { port, proto } } : undefined;
      if (!extra.startsWith('from=') || words.length !== 3) return undefined;
      return { kind: 'allow', allow: { port, proto, from: parseCidr(extra.slice('from='.length)) } };
    }
  } catch (error) {
    if (error instanceof InvalidInput) return undefined;
    throw error;
  }
  return undefined;
}
