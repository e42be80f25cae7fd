import type { Lab } from '../test/support/lab';
import { measureNoDelay } from './lib/noDelay';
import { round, type Section } from './lib/results';
import { execRoundTrip, STOCK_BASHRC, useStockShell } from './lib/stockShell';

const HOST = 'h2';

/**
 * Gives the lab's hosts a stock root shell (see lib/stockShell.ts) and records what that changes;
 * then measures what TCP_NODELAY would change (see lib/noDelay.ts). Runs before every other section.
 */
export async function prepareHosts(lab: Lab): Promise<Section> {
  const before = await execRoundTrip(lab, HOST);
  const masked = await useStockShell(lab);
  const after = await execRoundTrip(lab, HOST);
  const noDelay = await measureNoDelay(lab, HOST);
  return {
    id: 'environment',
    title: 'Before the measurements: the hosts\' shell, and TCP_NODELAY',
    method: [
      "The lab's hosts share this machine's `/root`, whose `.bashrc` runs `pyenv init -` and more; bash reads it for every command " +
        `sshd runs. The benchmark bind-mounts Debian's stock root .bashrc (\`${STOCK_BASHRC}\`) over it inside its own hosts' mount ` +
        "namespaces, as on a typical Docker host. Every SSH exec, ours and the baselines' alike, is cheaper for it.",
      'Nagle\'s algorithm: the same composition as `openHost` (one `SshSession`, dockerode over forwarded socket channels, ' +
        "`FirewallEngine`), once with ssh2's default (Nagle on) and once with `client.setNoDelay(true)`, which the product's " +
        '`connectSsh` calls after connecting. Every other section measures the product as it is.',
    ],
    comparisons: noDelay,
    facts: [
      {
        id: 'exec-round-trip',
        title: `One SSH exec of \`true\` on an open connection with TCP_NODELAY (${HOST}, median of 10)`,
        value: masked
          ? `${round(before)} ms with this machine's root .bashrc, ${round(after)} ms with Debian's stock one (used from here on)`
          : `${round(before)} ms (no stock .bashrc to use: hosts left as they are)`,
      },
    ],
    notes: [],
  };
}
