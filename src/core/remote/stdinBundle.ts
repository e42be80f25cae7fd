import { createHash } from 'node:crypto';

/**
 * Data that grows with the host (iptables-restore payloads, files to write) travels on the
 * command's standard input, not on its command line: sshd hands the whole command line to the
 * login shell as one argument, and Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN),
 * a size a host with a few hundred allows reaches.
 *
 * The parts go one per line, base64-encoded (a fixed alphabet without newlines, so a part can hold
 * anything). The command line carries their SHA-256; the script reads all of stdin into a private
 * temporary file and checks it against the digest before it changes anything, so a connection
 * that drops halfway leaves the host as it was, as the command line did before.
 */
export interface StdinBundle {
  /** What to write to the command's standard input. */
  readonly stdin: string;
  /** SHA-256 of stdin, hex, for the command line. */
  readonly digest: string;
}

export function stdinBundle(parts: readonly string[]): StdinBundle {
  const stdin = parts.map((part) => `${Buffer.from(part, 'utf8').toString('base64')}\n`).join('');
  return { stdin, digest: createHash('sha256').update(stdin, 'utf8').digest('hex') };
}

/** The parts of a bundle, decoded (for tests and dry runs: the host does this in sh). */
export function bundleParts(stdin: string): string[] {
  const lines = stdin.split('\n');
  if (lines.pop() !== '') throw new Error('a bundle ends with a newline');
  return lines.map((line) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(line)) throw new Error('a bundle line is not base64');
    return Buffer.from(line, 'base64').toString('utf8');
  });
}

/**
 * sh that reads the bundle whose digest is in the variable named by the caller (`$1` of the
 * generated function), then defines `part N` (prints part N, decoded) and `has_part N` (true if
 * part N is not empty). Exits 70 with `### incomplete input` on stderr when stdin is not the
 * bundle the command line names.
 */
export const READ_BUNDLE = `read_bundle() { # DIGEST
  bundle=$(mktemp) || { echo '### incomplete input' >&2; exit 70; }
  trap 'rm -f "$bundle"' EXIT
  cat >"$bundle"
  if [ "$(sha256sum <"$bundle" | cut -c1-64)" != "$1" ]; then echo '### incomplete input' >&2; exit 70; fi
}
part() { sed -n "$1p" "$bundle" | base64 -d; }
has_part() { [ -n "$(sed -n "$1p" "$bundle")" ]; }`;
