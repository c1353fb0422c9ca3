import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * Every error a user can cause or meet is one of these. main.ts turns them into one line on
 * stderr and the exit code they carry; anything else is a bug (exit 1).
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  /** A second line telling the user what to do, when the message alone does not. */
  readonly hint: string | undefined;
  constructor(message: string, exitCode: ExitCodeValue, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flags, bad files, a prompt needed where none is allowed. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Usage, hint);
  }
}

/** Input that breaks several rules at once: each problem is listed on its own line. */
export class ValidationError extends UsageError {
  readonly problems: string[];
  constructor(message: string, problems: string[], hint?: string) {
    super(message, hint);
    this.problems = problems;
  }
}

/** The config file exists but cannot be used. Never overwritten silently. */
export class ConfigError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Usage, hint);
  }
}

/** No credentials, or the API said 401/403. */
export class AuthError extends CliError {
  /** The HTTP status (401, 403) when the API said it; undefined for missing credentials. */
  readonly status: number | undefined;
  constructor(message: string, hint?: string, status?: number) {
    super(message, ExitCode.Auth, hint);
    this.status = status;
  }
}

/** The API answered, and said no (400, 404, 409, 422 and other 4xx). */
export class ApiRejectedError extends CliError {
  readonly status: number;
  readonly body: unknown;
  constructor(message: string, status: number, body: unknown, hint?: string) {
    super(message, ExitCode.ApiRejected, hint);
    this.status = status;
    this.body = body;
  }
}

/** Network failure, timeout, 5xx, or 429 after retries. */
export class UnavailableError extends CliError {
  readonly status: number | undefined;
  /**
   * True when the request may have been processed all the same (a 5xx, a timeout, a
   * connection lost after sending); false when it surely was not (429, nothing sent).
   */
  outcomeUnknown = true;
  constructor(message: string, status?: number, hint?: string) {
    super(message, ExitCode.Unavailable, hint);
    this.status = status;
  }
}

/**
 * A 2xx whose body lacks what the contract promises (an onboarding with no customer ID, a read
 * with no data): not trusted, nothing recorded from it. The request may have taken effect.
 */
export class IncompleteAnswerError extends UnavailableError {
  constructor(where: string, missing: string) {
    super(
      `${where} answered success without ${missing}; nothing was recorded from it`,
      undefined,
      'The server did not answer as the API contract says: check the base URL (`safeweb profile show`).',
    );
  }
}

/** The user pressed Ctrl+C or answered "no" to a confirmation that guards the whole command. */
export class CancelledError extends CliError {
  constructor(message = 'Cancelled.') {
    super(message, ExitCode.Cancelled);
  }
}

/** Why this run may not change anything, and how to make it able to. */
export interface ReadOnlyReason {
  /** The profile marked read-only, when that is the reason. */
  profile?: string | undefined;
  /** The environment variable that made the run read-only, when that is the reason. */
  variable?: string | undefined;
}

/**
 * A change asked of a read-only profile (or a run with SAFEWEB_READ_ONLY set): exit 2, nothing
 * sent. Here, not in safety/, because the API client (below safety/) refuses each write with it.
 */
export class ReadOnlyError extends UsageError {
  constructor(reason: ReadOnlyReason, what: string) {
    super(
      reason.profile !== undefined
        ? `profile "${reason.profile}" is read-only; ${what} was not sent`
        : `this run is read-only (${reason.variable ?? 'SAFEWEB_READ_ONLY'} is set); ${what} was not sent`,
      reason.profile !== undefined
        ? `switch with \`safeweb profile set ${reason.profile} --read-write\`, or pick another profile with --profile`
        : `unset ${reason.variable ?? 'SAFEWEB_READ_ONLY'} to allow changes`,
    );
  }
}
