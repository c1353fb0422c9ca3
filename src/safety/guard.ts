/**
 * The run's policy around every change it sends, in one place: a read-only run refuses them
 * all, a production write says where it goes on stderr (once per kind of change in a run), and
 * every write, sent or refused, is appended to the account's audit log naming the customer by
 * its reference. The API client calls it through the WriteGuard made for each client
 * (clients.ts); confirming verbs call it before their question. It reads no settings itself:
 * whatever it needs is handed in, so a test builds one from plain values.
 */
import type { WriteGuard, WriteRecord, WriteRequest } from '../api/client.js';
import type { PathName } from '../api/paths.js';
import type { Resolved } from '../config/resolve.js';
import { appendAudit, auditEntry, type AuditEntry, type AuditOrigin } from './audit.js';
import { readOnlyReason } from './read-only.js';
import {
  changeLine,
  changeTarget,
  isProduction,
  refuseReadOnly,
  type ChangeTarget,
  type ConfirmedChange,
} from './production.js';

/** What a client sends with. */
/** A PSA write as psa/http.ts reports it (its PsaWriteRecord; safety/ sits below psa/, so named here by shape). */
interface PsaWriteRecordLike {
  farSide: string;
  connection?: string | undefined;
  action: string;
  ticketId?: number | undefined;
  key?: string | undefined;
  method: string;
  path: string;
  status: number | null;
  outcome: WriteRecord['outcome'];
  error?: string | undefined;
  durationMs: number;
}

export interface Credentials {
  partnerId: string;
  apiKey: string;
  baseUrl: string;
}

/** A customer as the local record knows it (its ID is null until known). */
export interface RecordedCustomer {
  id: string | null;
  reference: string;
}

export interface GuardInit {
  env: Record<string, string | undefined>;
  /** Where the audit logs are kept. */
  configDir: string;
  now: () => Date;
  /** The command line as typed: the audit log keeps it, secrets removed. Read at each write. */
  argv: () => readonly string[];
  /** Says a line on stderr (where a production write goes). */
  info: (line: string) => void;
  /** Says a warning on stderr (the audit log could not be written). */
  warn: (line: string) => void;
  /**
   * The customers an account's local record knows; read at most once per account in a run, and
   * only when a write names a customer by ID alone. May throw: the entry then has the ID alone.
   */
  recordedCustomers: (partnerId: string, baseUrl: string) => Promise<Iterable<RecordedCustomer>>;
}

export class Guard {
  /**
   * Who asks for the changes this run makes: the CLI, or (set by the MCP server per tool call)
   * an MCP tool. Read when each write is logged, so it may change between calls.
   */
  auditOrigin: AuditOrigin = { via: 'cli' };
  /**
   * What a person acknowledged for the changes that follow (apply: "stops monitoring 12
   * addresses ... (confirmed by --yes)"): kept in the audit line of each write from then on.
   */
  auditNote: string | undefined;
  /** Kinds of change already said to be going to production in this run. */
  readonly announced = new Set<string>();
  /**
   * Customer IDs and their references a verb knows beyond the local record (apply's --state
   * file): the audit log names the customer of a write by them first.
   */
  readonly knownReferences = new Map<string, string>();
  readonly #init: GuardInit;
  #auditWarned = false;
  /** The local record's references by ID, per account. */
  readonly #references = new Map<string, Promise<Map<string, string>>>();

  constructor(init: GuardInit) {
    this.#init = init;
  }

  /** Before any question about a change: a read-only run refuses at once (exit 2). */
  refuseIfReadOnly(resolved: Pick<Resolved, 'readOnly' | 'profile'>, action: string): void {
    refuseReadOnly(resolved, this.#init.env, action);
  }

  /**
   * For verbs that confirm a change (safety/production.ts `changeTarget`): ` on partner 4711 (profile
   * "prod")` for the question on production, else empty; the change is then not announced again.
   */
  confirmTarget(resolved: Pick<Resolved, 'readOnly' | 'profile' | 'partnerId' | 'baseUrl'>, change: ConfirmedChange) {
    return changeTarget(resolved, this.#init.env, change, (operation: PathName, line) => {
      this.announced.add(operation);
      if (line) this.#init.info(line);
    });
  }

  /**
   * The WriteGuard of a client sending with `creds`: read-only, production lines and the audit
   * log. The profile's rules apply to its own account only; other credentials (login's check of
   * a key before saving it) have none. `secrets` are hidden from the log (read at each write).
   */
  forClient(
    resolved: Pick<Resolved, 'readOnly' | 'profile' | 'partnerId'>,
    creds: Credentials,
    secrets: Iterable<string>,
  ): WriteGuard {
    const ours = resolved.partnerId?.value === creds.partnerId;
    const profile = ours ? resolved.profile?.value : undefined;
    const target: ChangeTarget = { partnerId: creds.partnerId, profile, production: isProduction(creds.baseUrl) };
    return {
      readOnly: readOnlyReason(this.#init.env, ours ? resolved : { readOnly: false, profile: undefined }),
      beforeWrite: (write) => this.#announce(write, target),
      afterWrite: (record) => this.#audit(record, creds, profile, secrets),
    };
  }

  /**
   * The guard of a PSA's client: the same read-only rule, and every PSA write in the audit log of
   * the run's SafeWeb account (`account`; undefined without SafeWeb credentials: then unaudited),
   * naming the connection, the ticket, its key and the action.
   */
  forPsa(
    resolved: Pick<Resolved, 'readOnly' | 'profile'>,
    account: Omit<Credentials, 'apiKey'> | undefined,
    secrets: Iterable<string>,
  ): { readOnly: ReturnType<typeof readOnlyReason>; afterWrite: (r: PsaWriteRecordLike) => Promise<void> } {
    return {
      readOnly: readOnlyReason(this.#init.env, resolved),
      afterWrite: async (r) => {
        if (!account) return;
        const record: WriteRecord = {
          method: r.method,
          path: r.path,
          operation: undefined,
          customerId: undefined,
          customerRef: undefined,
          status: r.status,
          outcome: r.outcome,
          error: r.error,
          durationMs: r.durationMs,
        };
        const psa = {
          connection: r.connection ?? null,
          farSide: r.farSide,
          action: r.action,
          ticket: r.ticketId ?? null,
          key: r.key ?? null,
        };
        await this.#audit(record, { ...account, apiKey: '' }, resolved.profile?.value, secrets, { psa });
      },
    };
  }

  /** A write to production says where it goes on stderr, once per kind of change in a run. */
  #announce(write: WriteRequest, target: ChangeTarget): void {
    if (!target.production) return;
    const key = write.operation ?? `${write.method} ${write.path}`;
    if (this.announced.has(key)) return;
    this.announced.add(key);
    this.#init.info(changeLine(write, target));
  }

  /** Appends the write to the account's audit log; a failure warns (once) and never fails the command. */
  async #audit(
    record: WriteRecord,
    creds: Credentials,
    profile: string | undefined,
    secrets: Iterable<string>,
    extra: Partial<AuditEntry> = {},
  ) {
    try {
      const id = record.customerId;
      const ref =
        record.customerRef ?? (id ? (this.knownReferences.get(id) ?? (await this.#referenceOf(creds, id))) : undefined);
      const run = {
        configDir: this.#init.configDir,
        partnerId: creds.partnerId,
        baseUrl: creds.baseUrl,
        profile,
        origin: this.auditOrigin,
        note: this.auditNote,
        argv: this.#init.argv(),
        secrets: [...(creds.apiKey ? [creds.apiKey] : []), ...secrets],
        // When the request was sent: its answer came durationMs later.
        now: new Date(this.#init.now().getTime() - record.durationMs),
      };
      appendAudit(this.#init.configDir, { ...auditEntry(run, record, ref), ...extra }, this);
    } catch (error) {
      if (this.#auditWarned) return;
      this.#auditWarned = true;
      const why = error instanceof Error ? error.message : String(error);
      this.#init.warn(`the audit log could not be written (${why}); the command went on`);
    }
  }

  /** The customer reference the local record knows for an ID. */
  async #referenceOf(creds: Credentials, id: string): Promise<string | undefined> {
    const account = `${creds.partnerId}\n${creds.baseUrl}`;
    let references = this.#references.get(account);
    if (!references) {
      references = this.#init.recordedCustomers(creds.partnerId, creds.baseUrl).then(
        (customers) => new Map([...customers].flatMap((c) => (c.id ? [[c.id, c.reference] as const] : []))),
        // No record, or one that cannot be read: the entry has the ID alone.
        () => new Map<string, string>(),
      );
      this.#references.set(account, references);
    }
    return (await references).get(id);
  }
}
