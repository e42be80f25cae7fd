// What the fleet section reads from the output of Ansible and of the CLI's multi-host --json, to check each run.
import { playRecap } from '../../test/support/ansible';

/** `host | CHANGED | rc=0 >>` lines of an ad-hoc run, one per host that ran the command. */
export function adHocSucceeded(stdout: string): number {
  return [...stdout.matchAll(/^\S+ \| (?:CHANGED|SUCCESS) \| rc=0 >>$/gm)].length;
}

/** From a playbook's recap: how many hosts changed, and how many failed or were unreachable. */
export function recapCounts(stdout: string): { changed: number; failed: number } {
  const hosts = Object.values(playRecap(stdout));
  return {
    changed: hosts.filter((h) => (h.changed ?? 0) > 0).length,
    failed: hosts.filter((h) => (h.unreachable ?? 0) > 0 || (h.failed ?? 0) > 0).length,
  };
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
