import { join } from 'node:path';

/**
 * Ansible run as the lab's tests and the benchmark run it: its state and temporary files in `dir`,
 * no colour, `forks` hosts at once, and the Python interpreter named (the lab's hosts share this
 * machine's), so that none is discovered on each host.
 */
export function ansibleEnv(dir: string, forks: number): Record<string, string> {
  return {
    ANSIBLE_HOME: join(dir, 'ansible'),
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORKS: String(forks),
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
  };
}

/** `host : ok=3 changed=1 unreachable=0 failed=0 …` lines of a play's recap, by host. */
export function playRecap(stdout: string): Record<string, Record<string, number>> {
  const hosts: Record<string, Record<string, number>> = {};
  for (const m of stdout.matchAll(/^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$/gm)) {
    hosts[m[1]!] = Object.fromEntries([...m[2]!.matchAll(/(\w+)=(\d+)/g)].map((k) => [k[1]!, Number(k[2])]));
  }
  return hosts;
}
