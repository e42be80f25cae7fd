import * as l10n from '@vscode/l10n';
import { InvalidInput } from '../errors';
import { parseCidr, type Cidr, type Proto } from '../validate';
import type { Allow } from './policy';

/**
 * An allow as a user asks for it, before the host is read: "from me" is the address the host sees
 * this client connect from, and "for 2h" counts from the host's clock. Both are known only from a
 * read, so a request is resolved into an Allow when the change is planned (and again on a retry).
 */
export interface AllowRequest {
  readonly port: number;
  /** The last port of a range (inclusive); undefined: the one port. */
  readonly endPort?: number | undefined;
  readonly proto: Proto;
  /** A source range, `'me'`, or undefined for anywhere. */
  readonly from?: Cidr | 'me' | undefined;
  /** For how long (seconds); undefined: until it is taken back. */
  readonly forSeconds?: number | undefined;
}

/** What a change is planned against, besides the policy in force: from the same read. */
export interface ChangeContext {
  /** The host's clock, Unix seconds. */
  readonly now: number;
  /** The client side of our SSH connection as the host sees it; undefined when the host did not tell. */
  readonly clientAddress?: string | undefined;
}

export function resolveAllow(request: AllowRequest, context: ChangeContext): Allow {
  const from = request.from === 'me' ? myAddress(context) : request.from;
  return {
    port: request.port,
    ...(request.endPort === undefined ? {} : { endPort: request.endPort }),
    proto: request.proto,
    ...(from === undefined ? {} : { from }),
    ...(request.forSeconds === undefined ? {} : { until: context.now + request.forSeconds }),
  };
}

/** The client address as a single-host range (/32, /128); an IPv4-mapped IPv6 address is the IPv4 one it maps. */
export function myAddress(context: ChangeContext): Cidr {
  const address = context.clientAddress;
  if (address === undefined) {
    throw new InvalidInput(
      l10n.t('The host did not say which address you connect from (no SSH_CONNECTION in its environment): give the address with --from ADDRESS instead of "me". Nothing was changed.'),
    );
  }
  const mapped = /^::ffff:([0-9]{1,3}(?:\.[0-9]{1,3}){3})$/i.exec(address)?.[1];
  return parseCidr(mapped ?? address);
}
