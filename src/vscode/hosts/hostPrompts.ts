import * as vscode from 'vscode';
import type { HostCallbacks, UnknownHostKey } from '../../core/hosts/hostTarget';
import { describeSecretSubject, type SecretSubject } from '../../core/ssh/secretSubject';
import type { HostSecrets } from './hostSecrets';
import { isPasswordPrompt, rememberQuestion, SecretAnswers } from './secretAnswers';

/**
 * The engine's questions for one host, answered with VS Code UI: a modal for an unknown host key,
 * password input boxes for secrets. A saved secret is offered only for exactly the account and host
 * key (or key file) it was saved for; a typed one is saved only after it worked, and only if the
 * user says so (a notification with "Remember" / "Not now").
 */
export function hostCallbacks(hostName: string, log: vscode.LogOutputChannel, secrets: HostSecrets): HostCallbacks {
  const title = vscode.l10n.t('Docker Firewall: {0}', hostName);
  const input = (prompt: string): Thenable<string | undefined> => vscode.window.showInputBox({ title, prompt, password: true, ignoreFocusOut: true });
  const answers = new SecretAnswers(secrets, (subject) => Promise.resolve(input(promptFor(subject))));

  const offerToRemember = async (subject: SecretSubject): Promise<void> => {
    const value = answers.accepted(subject);
    if (value === undefined) return;
    const remember = vscode.l10n.t('Remember');
    const choice = await vscode.window.showInformationMessage(rememberQuestion(subject), remember, vscode.l10n.t('Not now'));
    if (choice !== remember) {
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
      return vscode.l10n.t('Password for {0}', describeSecretSubject(subject));
    case 'passphrase':
      return vscode.l10n.t('Passphrase for {0}', describeSecretSubject(subject));
    case 'sudo':
      return vscode.l10n.t('sudo password for {0} (Docker Firewall runs its firewall script, and docker outside the docker group, through sudo)', describeSecretSubject(subject));
  }
}

async function confirmHostKey(hostName: string, key: UnknownHostKey): Promise<boolean> {
  const where = key.port === 22 ? key.host : vscode.l10n.t('{0} port {1}', key.host, key.port);
  const trust = vscode.l10n.t('Trust');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t("The authenticity of {0} ({1}) can't be established. Trust its host key?", hostName, where),
    {
      modal: true,
      detail: vscode.l10n.t(
        '{0} key fingerprint:\n{1}\n\nThis key is not in known_hosts yet. Compare the fingerprint with the one the host itself reports (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on {2}) before trusting it; it will then be recorded in known_hosts.',
        key.keyType,
        key.fingerprint,
        key.host,
      ),
    },
    trust,
  );
  return answer === trust;
}
