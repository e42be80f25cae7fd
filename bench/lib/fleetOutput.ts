// What the fleet section reads from the output of Ansible and of the CLI's multi-host --json, to check each run.

/** `host | CHANGED | rc=0 >>` lines of an ad-hoc run, one per host that ran the command. */
export function adHocSucceeded(stdout: string): number {
  return [...stdout.matchAll(/^\S+ \| (?:CHANGED|SUCCESS) \| rc=0 >>$/gm)].length;
}

/** `host : ok=1 changed=1 …` of a playbook's recap: the hosts that changed, and those that failed or were unreachable. */
export function recapCounts(stdout: string): { changed: number; failed: number } {
  let changed = 0;
  let failed = 0;
  for (const m of stdout.matchAll(/^\S+\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
    if (Number(m[1]) > 0) changed++;
    if (Number(m[2]) > 0 || Number(m[3]) > 0) failed++;
  }
  return { changed, failed };
}

/** The CLI's --json array over many hosts: how many hosts answered, and how many changed. */
export function cliHosts(stdout: string): { ok: number; changed: number; errors: string[] } {
  const hosts = JSON.parse(stdout) as { host?: string; exit: number; changed?: boolean; error?: { message: string } }[];
  return {
    ok: hosts.filter((h) => h.exit === 0).length,
    changed: hosts.filter((h) => h.changed === true).length,
    errors: hosts.filter((h) => h.error !== undefined).map((h) => `${String(h.host)}: ${h.error!.message}`),
  };
}
