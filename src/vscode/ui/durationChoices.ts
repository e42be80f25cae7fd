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

export const UNTIL_TAKEN_BACK: DurationChoice = { label: 'Until I take it back', description: 'no end', forSeconds: undefined };

export const DURATION_CHOICES: readonly DurationChoice[] = [
  UNTIL_TAKEN_BACK,
  { label: '15 minutes', forSeconds: 15 * 60 },
  { label: '1 hour', forSeconds: 3600 },
  { label: '8 hours', forSeconds: 8 * 3600 },
  { label: '1 day', forSeconds: 86400 },
];

/** The `validateInput` of "Another duration…": the message for a text `--for` would refuse. */
export function durationProblem(text: string): string | undefined {
  return problemOf(() => parseDuration(text));
}

/** "for 15 min", "for 1 h", "for 30 s", "for 2 d 3 h"; "" for no end. As a person says a duration. */
export function durationText(forSeconds: number | undefined): string {
  if (forSeconds === undefined) return '';
  const days = Math.floor(forSeconds / 86400);
  const hours = Math.floor((forSeconds % 86400) / 3600);
  const minutes = Math.floor((forSeconds % 3600) / 60);
  const seconds = forSeconds % 60;
  const parts = [
    ...(days > 0 ? [`${days} d`] : []),
    ...(hours > 0 ? [`${hours} h`] : []),
    ...(minutes > 0 ? [`${minutes} min`] : []),
    ...(seconds > 0 ? [`${seconds} s`] : []),
  ];
  return `for ${parts.join(' ')}`;
}
