// Running a program inside a network namespace. Loopback is per namespace, so code-server and the
// browser that talks to it must share one; the extension inside code-server then reaches whatever
// that namespace reaches (the lab's Docker hosts from its "outside" namespace).

const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Throws unless `name` is a plain network-namespace name (it ends up in a shell script). */
export function assertNetnsName(name: string): void {
  if (!NETNS_NAME.test(name)) {
    throw new Error(`Invalid network namespace name ${JSON.stringify(name)}: expected ${String(NETNS_NAME)}`);
  }
}

/** The argv that runs `argv` inside `netns`, or `argv` itself when no namespace is given. */
export function inNetns(netns: string | undefined, argv: readonly string[]): string[] {
  if (netns === undefined) return [...argv];
  assertNetnsName(netns);
  return ['ip', 'netns', 'exec', netns, ...argv];
}

/** The namespace named by an environment variable such as DFW_TEST_NETNS, if set and non-empty. */
export function netnsFromEnv(variable: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[variable]?.trim();
  if (!value) return undefined;
  assertNetnsName(value);
  return value;
}
