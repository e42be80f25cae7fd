import * as vscode from 'vscode';
import type { HostCallbacks, UnknownHostKey } from '../../core/hosts/hostTarget';
import type { HostSecrets, SecretKind } from './hostSecrets';

const TRUST = 'Trust';

/**
 * The engine's questions for one host, answered with VS Code UI: a modal for an unknown host key,
 * password input boxes for secrets (kept in SecretStorage once given).
 */
export function hostCallbacks(hostName: string, log: vscode.LogOutputChannel, secrets: HostSecrets): HostCallbacks {
  // A saved secret is offered once; asked again means it was refused, so it is dropped and the user asked.
  const offered = new Set<string>();
  const ask = async (kind: SecretKind, subject: string, options: vscode.InputBoxOptions): Promise<string | undefined> => {
    const id = `${kind}\n${subject}`;
    if (!offered.has(id)) {
      offered.add(id);
      const saved = await secrets.get(hostName, kind, subject);
      if (saved !== undefined) {
        log.debug(`${hostName}: using the saved ${kind} for ${subject}.`);
        return saved;
      }
    } else {
      await secrets.delete(hostName, kind, subject);
    }
    const value = await vscode.window.showInputBox({ ...options, password: true, ignoreFocusOut: true });
    if (value === undefined) return undefined;
    await secrets.store(hostName, kind, subject, value);
    return value;
  };

  return {
    onUnknownHostKey: (key) => confirmHostKey(hostName, key),
    askPassword: ({ host, user }) =>
      ask('password', `${user}@${host}`, { title: `Docker Firewall: ${hostName}`, prompt: `Password for ${user}@${host}` }),
    askPassphrase: ({ keyPath }) =>
      ask('passphrase', keyPath, { title: `Docker Firewall: ${hostName}`, prompt: `Passphrase for the SSH key ${keyPath}` }),
    askSudoPassword: ({ host, user }) =>
      ask('sudo', `${user}@${host}`, {
        title: `Docker Firewall: ${hostName}`,
        prompt: `sudo password for ${user} on ${host} (iptables needs root)`,
      }),
    log: (level, message) => log[level](`${hostName}: ${message}`),
  };
}

async function confirmHostKey(hostName: string, key: UnknownHostKey): Promise<boolean> {
  const where = key.port === 22 ? key.host : `${key.host} port ${key.port}`;
  const answer = await vscode.window.showWarningMessage(
    `The authenticity of ${hostName} (${where}) can't be established. Trust its host key?`,
    {
      modal: true,
      detail:
        `${key.keyType} key fingerprint:\n${key.fingerprint}\n\n` +
        'This key is not in known_hosts yet. Compare the fingerprint with the one the host itself reports ' +
        `(ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on ${key.host}) before trusting it; it will then be recorded in known_hosts.`,
    },
    TRUST,
  );
  return answer === TRUST;
}
