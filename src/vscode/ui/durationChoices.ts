import * as l10n from '@vscode/l10n';
import { parseDuration } from '../../core/validate';
import { problemOf } from './inputValidation';

/**
 * How long an allow lasts, as the duration pick offers it (pure, unit-tested). "Until I take it back"
 * comes first, so that accepting the pick as it opens keeps the behaviour allows had before they could
 * end. A typed duration goes through the CLI's own parser (`--for`): 10 s to 90 days, nothing else.
 */
export interface DurationChoice {
  readonly label: string;
  readonly description?: string | undefined;
  /** Undefined: until it is taken back. */
  readonly forSeconds: number | undefined;
}

/** The choices, in the display language (a function: the texts are translated when the pick opens). */
export function durationChoices(): readonly DurationChoice[] {
  return [
    { label: l10n.t('Until I take it back'), description: l10n.t('no end'), forSeconds: undefined },
    { label: l10n.t('15 minutes'), forSeconds: 15 * 60 },
    { label: l10n.t('1 hour'), forSeconds: 3600 },
    { label: l10n.t('8 hours'), forSeconds: 8 * 3600 },
    { label: l10n.t('1 day'), forSeconds: 86400 },
  ];
}

/** The `validateInput` of "Another duration…": the message for a text `--for` would refuse. */
export function durationProblem(text: string): string | undefined {
  return problemOf(() => parseDuration(text));
}

/** Whole days, hours, minutes and seconds of a duration. */
function durationParts(forSeconds: number): { days: number; hours: number; minutes: number; seconds: number } {
  return {
    days: Math.floor(forSeconds / 86400),
    hours: Math.floor((forSeconds % 86400) / 3600),
    minutes: Math.floor((forSeconds % 3600) / 60),
    seconds: forSeconds % 60,
  };
}

/** "for 15 min", "for 1 h", "for 30 s", "for 2 d 3 h"; "" for no end. As a person says a duration, in English for the log. */
export function durationText(forSeconds: number | undefined): string {
  if (forSeconds === undefined) return '';
  const { days, hours, minutes, seconds } = durationParts(forSeconds);
  const parts = [
    ...(days > 0 ? [`${days} d`] : []),
    ...(hours > 0 ? [`${hours} h`] : []),
    ...(minutes > 0 ? [`${minutes} min`] : []),
    ...(seconds > 0 ? [`${seconds} s`] : []),
  ];
  return `for ${parts.join(' ')}`;
}

/** "15 min", "1 h", "2 d 3 h": the amount of durationText, in the display language. */
export function durationLabel(forSeconds: number): string {
  const { days, hours, minutes, seconds } = durationParts(forSeconds);
  return [
    ...(days > 0 ? [l10n.t('{0} d', days)] : []),
    ...(hours > 0 ? [l10n.t('{0} h', hours)] : []),
    ...(minutes > 0 ? [l10n.t('{0} min', minutes)] : []),
    ...(seconds > 0 ? [l10n.t('{0} s', seconds)] : []),
  ].join(' ');
}
