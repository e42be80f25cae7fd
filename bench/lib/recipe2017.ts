/**
 * The 2017 recipe that our product replaces, as blog posts and Q&A answers of that time gave it:
 * a chain PRE_DOCKER whose last word is DROP, exceptions inserted above it (replies, the
 * containers' own traffic, one trusted admin address), and a jump to it inserted at the top of
 * FORWARD for traffic to docker0. Each command was typically sent on its own, `ssh HOST iptables …`.
 * IPv4 only: the recipe never covered ip6tables (ours does both families in the same round trip).
 */
export const RECIPE_CHAIN = 'PRE_DOCKER';

/** The seven commands, in the recipe's order (each `-I` lands on top, so exceptions go above DROP). */
export function recipeCommands(adminAddress: string): string[][] {
  return [
    ['iptables', '-N', RECIPE_CHAIN],
    // Default action.
    ['iptables', '-I', RECIPE_CHAIN, '-j', 'DROP'],
    // Public admin access from one trusted address.
    ['iptables', '-I', RECIPE_CHAIN, '-i', 'eth0', '-s', adminAddress, '-j', 'ACCEPT'],
    // Docker internal use: container to container, replies, containers going out.
    ['iptables', '-I', RECIPE_CHAIN, '-o', 'docker0', '-i', 'docker0', '-j', 'ACCEPT'],
    ['iptables', '-I', RECIPE_CHAIN, '-m', 'state', '--state', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
    ['iptables', '-I', RECIPE_CHAIN, '-i', 'docker0', '!', '-o', 'docker0', '-j', 'ACCEPT'],
    // Finally the jump, ahead of Docker's own rules in FORWARD.
    ['iptables', '-I', 'FORWARD', '-o', 'docker0', '-j', RECIPE_CHAIN],
  ];
}

/** Takes the recipe back out (run on the host directly, not timed). */
export function recipeUndoScript(): string {
  return [
    `iptables -D FORWARD -o docker0 -j ${RECIPE_CHAIN}`,
    `iptables -F ${RECIPE_CHAIN}`,
    `iptables -X ${RECIPE_CHAIN}`,
  ].join(' && ');
}

/** The recipe's way to open one published port: one rule on top of the chain, IPv4 only. */
export function recipeAllowCommand(port: number): string[] {
  return ['iptables', '-I', RECIPE_CHAIN, '-p', 'tcp', '-m', 'conntrack', '--ctorigdstport', String(port), '--ctdir', 'ORIGINAL', '-j', 'ACCEPT'];
}

export function recipeDenyCommand(port: number): string[] {
  return ['iptables', '-D', RECIPE_CHAIN, '-p', 'tcp', '-m', 'conntrack', '--ctorigdstport', String(port), '--ctdir', 'ORIGINAL', '-j', 'ACCEPT'];
}
