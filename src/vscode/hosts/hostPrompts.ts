import * as vscode from 'vscode';
import type { HostCallbacks, UnknownHostKey } from '../../core/hosts/hostTarget';
import { describeSecretSubject, type SecretSubject } from '../../core/ssh/secretSubject';
import type { HostSecrets } from './hostSecrets';
import { isPasswordPrompt, rememberQuestion, SecretAnswers } from './secretAnswers';

const TRUST = 'Trust';
const REMEMBER = 'Remember';
const NOT_NOW = 'Not now';

/**
 * The engine's questions for one host, answered with VS Code UI: a modal for an unknown host key,
 * password input boxes for secrets. A saved secret is offered only for exactly the account and host
 * key (or key file) it was saved for; a typed one is saved only after it worked, and only if the
 * user says so (a notification with "Remember" / "Not now").
 */
export function hostCallbacks(hostName: string, log: vscode.LogOutputChannel, secrets: HostSecrets): HostCallbacks {
  const title = `Docker Firewall: ${hostName}`;
  const input = (prompt: string): Thenable<string | undefined> => vscode.window.showInputBox({ title, prompt, password: true, ignoreFocusOut: true });
  const answers = new SecretAnswers(secrets, (subject) => Promise.resolve(input(promptFor(subject))));

  const offerToRemember = async (subject: SecretSubject): Promise<void> => {
    const value = answers.accepted(subject);
    if (value === undefined) return;
    const choice = await vscode.window.showInformationMessage(rememberQuestion(subject), REMEMBER, NOT_NOW);
    if (choice !== REMEMBER) {
      answers.notNow(subject);
      return;
    }
    await secrets.remember(hostName, subject, value);
    log.info(`${hostName}: saved the ${subject.kind === 'passphrase' ? 'passphrase' : subject.kind === 'sudo' ? 'sudo password' : 'password'} for ${describeSecretSubject(subject)} in the secret storage.`);
  };

  return {
    onUnknownHostKey: (key) => confirmHostKey(hostName, key),
    askPassword: ({ subject, prompt }) =>
      // A one-time code or other factor is asked as it is, never answered from (or saved to) the storage.
      isPasswordPrompt(prompt) ? answers.answer(subject) : Promise.resolve(input(`${prompt ?? ''} (${describeSecretSubject(subject)})`)),
    askPassphrase: ({ subject }) => answers.answer(subject),
    askSudoPassword: ({ subject }) => answers.answer(subject),
    onSecretAccepted: (subject) => {
      offerToRemember(subject).catch((error: unknown) => log.error(`${hostName}: could not save the secret: ${error instanceof Error ? error.message : String(error)}`));
    },
    log: (level, message) => log[level](`${hostName}: ${message}`),
  };
}

function promptFor(subject: SecretSubject): string {
  switch (subject.kind) {
    case 'password':
      return `Password for ${describeSecretSubject(subject)}`;
    case 'passphrase':
      return `Passphrase for ${describeSecretSubject(subject)}`;
    case 'sudo':
      return `sudo password for ${describeSecretSubject(subject)} (Docker Firewall runs its firewall script, and docker outside the docker group, through sudo)`;
  }
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
