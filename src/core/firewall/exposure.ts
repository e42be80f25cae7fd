import type { Policy } from './policy';
import { describeAllow } from './policy';
import { allowsFor, endpointText, isIpv6, isLoopback, portText, type PublishedPort } from './port';

export type Exposure = 'exposed' | 'blocked' | 'allowed' | 'local-only';

export interface PortExposure extends PublishedPort {
  readonly exposure: Exposure;
  /** One sentence a user can read in a tooltip: why the port is in this state. */
  readonly reason: string;
}

export interface Protection {
  /** Our chain is hooked first in DOCKER-USER for IPv4. */
  readonly ipv4: boolean;
  /** The IPv6 ports docker-proxy serves that our INPUT chain drops, by portText (`8080/tcp`). */
  readonly ipv6ProxyBlocked: ReadonlySet<string>;
  /** Our chain is hooked in IPv6 DOCKER-USER (Docker manages IPv6 forwarding). */
  readonly ipv6Forward: boolean;
}

export function exposureOf(port: PublishedPort, policy: Policy, protection: Protection): PortExposure {
  const is = (exposure: Exposure, reason: string): PortExposure => ({ ...port, exposure, reason });
  const where = endpointText(port);
  if (isLoopback(port.hostIp)) return is('local-only', `${where} is published on the host's loopback only.`);
  if (!policy.locked) return is('exposed', `${where} is published to every network: this host has no lockdown.`);
  const allows = allowsFor(policy.allows, port);
  const covered = isIpv6(port.hostIp)
    ? protection.ipv6ProxyBlocked.has(portText({ port: port.hostPort, proto: port.proto })) || protection.ipv6Forward
    : protection.ipv4;
  if (!covered) {
    return is(
      'exposed',
      isIpv6(port.hostIp)
        ? `${where} was published after the lockdown was applied and is reachable over IPv6: apply the lockdown again.`
        : `${where} is reachable: the lockdown chain is not hooked first in DOCKER-USER. Apply the lockdown again.`,
    );
  }
  if (allows.length > 0) return is('allowed', `${where} is open: ${allows.map(describeAllow).join('; ')}.`);
  return is('blocked', `${where} is blocked for new connections from outside the host.`);
}
