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

/**
 * What a check found wrong, as data: where (a field path such as `assetsEmails[1]`, or '' for the
 * whole input), what, and a code a surface may act on. Each surface (CLI, MCP, manifest) renders
 * it; none parses another's message text.
 */
export interface Problem {
  path: string;
  message: string;
  code: ProblemCode;
}

/**
 * `required`: a required field is missing; `unknown_field`: a field the contract does not have;
 * `taken`: a reference already in the local record; `at_least_one`: nothing to monitor;
 * `past`: a date that must lie ahead is past; `duplicate`: the same key twice in one input;
 * `syntax`: the input is not valid JSON/YAML/CSV; `invalid`: any other broken rule.
 */
export type ProblemCode =
  'required' | 'unknown_field' | 'taken' | 'at_least_one' | 'past' | 'duplicate' | 'syntax' | 'invalid';

export function problem(path: string, message: string, code: ProblemCode = 'invalid'): Problem {
  return { path, message, code };
}

/** `path: message` (the message alone for the whole input): how every surface lists a problem. */
export function problemText(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** Input that breaks several rules at once: each problem is listed on its own line. */
export class ValidationError extends UsageError {
  readonly problems: Problem[];
  /** Problems given as data, or (where no field is concerned) as a sentence: `invalid`, for the whole input. */
  constructor(message: string, problems: readonly (Problem | string)[], hint?: string) {
    super(message, hint);
    this.problems = problems.map((p) => (typeof p === 'string' ? problem('', p) : p));
  }

  /** Each problem as one line of text. */
  get lines(): string[] {
    return this.problems.map(problemText);
  }
}

/** The config file exists but cannot be used. Never overwritten silently. */
export class ConfigError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Usage, hint);
  }
}

/**
 * The far side an error is about when none is named: the SafeWeb API. The clients of the far
 * sides to come (a PSA, a notification channel) pass their own name, so that one exit-code table
 * (3 refused, 4 authentication, 5 unavailable) holds for every far side and the message says which.
 */
export const SAFEWEB = 'SafeWeb';

/** No credentials, or the far side said 401/403. */
export class AuthError extends CliError {
  /** The HTTP status (401, 403) when the far side said it; undefined for missing credentials. */
  readonly status: number | undefined;
  /** Which far side: "SafeWeb", or a PSA's or channel's name. */
  readonly farSide: string;
  constructor(message: string, hint?: string, status?: number, farSide: string = SAFEWEB) {
    super(message, ExitCode.Auth, hint);
    this.status = status;
    this.farSide = farSide;
  }
}

/** The far side answered, and said no (400, 404, 409, 422 and other 4xx). */
export class ApiRejectedError extends CliError {
  readonly status: number;
  readonly body: unknown;
  /** Which far side: "SafeWeb", or a PSA's or channel's name. */
  readonly farSide: string;
  constructor(message: string, status: number, body: unknown, hint?: string, farSide: string = SAFEWEB) {
    super(message, ExitCode.ApiRejected, hint);
    this.status = status;
    this.body = body;
    this.farSide = farSide;
  }
}

/** Network failure, timeout, 5xx, or 429 after retries, at any far side. */
export class UnavailableError extends CliError {
  readonly status: number | undefined;
  /** Which far side: "SafeWeb", or a PSA's or channel's name. */
  readonly farSide: string;
  /**
   * True when the request may have been processed all the same (a 5xx, a timeout, a
   * connection lost after sending); false when it surely was not (429, nothing sent).
   */
  outcomeUnknown = true;
  constructor(message: string, status?: number, hint?: string, farSide: string = SAFEWEB) {
    super(message, ExitCode.Unavailable, hint);
    this.status = status;
    this.farSide = farSide;
  }
}

/**
 * A 2xx whose body lacks what the contract promises (an onboarding with no customer ID, a read
 * with no data): not trusted, nothing recorded from it. The request may have taken effect.
 */
export class IncompleteAnswerError extends UnavailableError {
  constructor(where: string, missing: string, farSide: string = SAFEWEB) {
    super(
      `${where}: ${farSide} answered success without ${missing}; nothing was recorded from it`,
      undefined,
      farSide === SAFEWEB
        ? 'The server did not answer as the API contract says: check the base URL (`safeweb profile show`).'
        : `${farSide} did not answer as its API says: check the address configured for it.`,
      farSide,
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
