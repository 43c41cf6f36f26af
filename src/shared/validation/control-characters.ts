import { ValidateBy } from 'class-validator';
import type { ValidationOptions } from 'class-validator';

/**
 * What may be in text that names or selects something (ids, filters, keys) and in free text
 * (notes). Refused everywhere: the C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F),
 * since PostgreSQL text cannot hold NUL (the statement fails: a 500) and the others are
 * invisible in a screen or a log line, so two ids that look alike could differ; and unpaired
 * surrogates, which are not text at all (the driver would store U+FFFD, another string than
 * the one sent). With the `u` flag a surrogate pair is one code point and never matches Cs.
 */
const IN_IDENTIFIER = /[\p{Cc}\p{Cs}]/u;
/** Free text keeps its layout: tab, line feed and carriage return are allowed there. */
const IN_FREE_TEXT = /[^\P{Cc}\t\n\r]|\p{Cs}/u;

export type TextKind = 'identifier' | 'free-text';

export function hasControlCharacters(text: string, kind: TextKind = 'identifier'): boolean {
  return (kind === 'identifier' ? IN_IDENTIFIER : IN_FREE_TEXT).test(text);
}

const MESSAGES: Record<TextKind, string> = {
  identifier: '$property must not contain control characters or unpaired surrogates',
  'free-text': '$property must not contain control characters other than tab, line feed and carriage return, or unpaired surrogates',
};

/**
 * The rule as a class-validator constraint. A value that is not a string passes: its type is
 * for @IsString to report, so a wrong type is one error, not two.
 */
export function NoControlCharacters(kind: TextKind = 'identifier', options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noControlCharacters',
      constraints: [kind],
      validator: {
        validate: (value) => typeof value !== 'string' || !hasControlCharacters(value, kind),
        defaultMessage: () => MESSAGES[kind],
      },
    },
    options,
  );
}
