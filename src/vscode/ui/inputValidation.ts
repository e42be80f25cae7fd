import { DockerFirewallError } from '../../core/errors';
import { parsePortSpec, type PortSpec } from '../../core/firewall/port';
import { parseCidr, type Cidr } from '../../core/validate';

/**
 * `validateInput` functions for input boxes, on top of core/validate: each returns the message to
 * show under the box, or undefined when the text is acceptable (pure, unit-tested).
 */
export function portSpecProblem(text: string): string | undefined {
  return problemOf(() => parsePortSpec(text.trim()));
}

/** Empty means "from anywhere". */
export function sourceProblem(text: string): string | undefined {
  return text.trim() === '' ? undefined : problemOf(() => parseCidr(text));
}

export function parseSource(text: string): Cidr | undefined {
  return text.trim() === '' ? undefined : parseCidr(text);
}

/** `8080` or `8080/udp`; `explicitProto` tells whether the protocol was typed (else ask for it). */
export function parsePortInput(text: string): PortSpec & { explicitProto: boolean } {
  return { ...parsePortSpec(text.trim()), explicitProto: text.includes('/') };
}

/** The message of the DockerFirewallError that `parse` throws, or undefined when it parses. */
export function problemOf(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    return error instanceof DockerFirewallError ? error.message : String(error);
  }
}
