/** An operator closes a dead letter without replaying it, saying why. */
export class ResolveDeadLetterCommand {
  constructor(
    readonly deadLetterId: number,
    readonly resolvedBy: string,
    readonly note: string,
  ) {}
}

export interface ResolveDeadLetterResult {
  deadLetterId: number;
  resolvedAt: string;
  resolvedBy: string;
  note: string;
}
