import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/support/lab';
import type { BenchResults, Comparison, Fact } from './lib/results';
import { round } from './lib/results';
import { packageVersion } from './inventory';

function comparison(results: BenchResults, id: string): Comparison | undefined {
  return results.sections.flatMap((s) => s.comparisons).find((c) => c.id === id);
}

function fact(results: BenchResults, id: string): Fact | undefined {
  return results.sections.flatMap((s) => s.facts).find((f) => f.id === id);
}

/**
 * Problems of the product that this run's numbers show, each stated with the numbers that show it.
 * A finding the run does not support is left out (a fixed issue drops off the report by itself).
 */
export function knownIssues(results: BenchResults): string[] {
  const issues: string[] = [];

  const lost = results.sections.reduce((n, s) => n + (s.lostExitStatus ?? 0), 0);
  if (lost > 0) {
    issues.push(
      `**Lost exit status (${lost} operation(s) on this run).** A command that has finished by the time its exec channel is ` +
        'confirmed open is reported as "the connection was lost while sh on hN ran". ssh2 emits the channel\'s `exit` event as soon as it ' +
        'parses the exit-status message; when that arrives with the open confirmation (a fast command, a busy client), `exit` fires before ' +
        "`runOnChannel` (src/core/ssh/execChannel.ts) listens for it, which it does only once `openChannel`'s promise has resolved. " +
        "The `close` that follows carries the exit code (ssh2 passes it), but only `exit` is read, so a lost connection is reported. " +
        'It shows on hosts with a plain shell (fast commands) when several hosts are read at once; the Hosts view then shows the host as an ' +
        'error. The benchmark runs such an operation again and counts it.',
    );
  }

  const status = comparison(results, 'nodelay-status');
  const exec = comparison(results, 'nodelay-exec');
  const productTurnsNagleOff = readFileSync(join(REPO_ROOT, 'src/core/ssh/connectSsh.ts'), 'utf8').includes('setNoDelay(true)');
  if (status !== undefined && exec !== undefined && !productTurnsNagleOff) {
    issues.push(
      `**Nagle's algorithm on the SSH socket.** ssh2 leaves TCP_NODELAY off, and src/core/ssh/connectSsh.ts no longer turns it on: ` +
        "small messages sent back to back (channel open, exec request, EOF, HTTP request) can wait for the host's delayed ACK. " +
        `On an open connection one exec of \`true\` took ${round(exec.baseline.summary.median, 1)} ms with Nagle on and ` +
        `${round(exec.ours.summary.median, 1)} ms with it off; a whole \`status()\` ${round(status.baseline.summary.median, 1)} ms and ` +
        `${round(status.ours.summary.median, 1)} ms.`,
    );
  }

  const total = fact(results, 'activation-total');
  const dockerode = fact(results, 'require-dockerode');
  const ssh2 = fact(results, 'require-ssh2');
  if (total !== undefined && total.met === false && dockerode !== undefined) {
    issues.push(
      `**Activation loads the whole core up front.** Load + activate took ${total.value}; \`require('dockerode')\` alone takes ` +
        `${dockerode.value}${ssh2 ? ` and \`require('ssh2')\` ${ssh2.value}` : ''}. dockerode ${packageVersion('dockerode')} loads \`@grpc/grpc-js\` and \`protobufjs\` ` +
        '(for BuildKit sessions, which we never use) at require time, and the bundle carries them. Loading the core when the first host ' +
        'is read (a dynamic `import()` of the engine, or plain HTTP over the tunnel instead of dockerode for our three GETs) would ' +
        'leave activation with only the views and commands.',
    );
  }
  return issues;
}
