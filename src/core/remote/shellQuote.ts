/**
 * The one place where a remote command line is made. ssh's exec request carries a single string
 * that the remote user's shell parses, so every argument is single-quoted here, whatever it holds.
 * Values are also validated against strict patterns before they get this far (see ../validate).
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a NUL byte cannot be passed in a command argument');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('an empty command cannot be run');
  return argv.map(shellQuote).join(' ');
}
