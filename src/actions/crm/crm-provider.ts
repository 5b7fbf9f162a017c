import { OutboundResponse, statusError } from '../../infra/http/outbound-http';
import { ActionError } from '../action-error';

/** Who a message is about, as the CRM should find them. */
export interface CrmIdentity {
  /** Value of the configured contact property, e.g. MaiAgent's sender id. */
  value: string;
  /** Display name for a contact created from this identity. */
  name: string | null;
}

export interface CrmNote {
  /** Rendered note body. */
  text: string;
  /** When the conversation happened; places the note on the contact's timeline. */
  timestamp: Date;
  /** The run's key, the same on every retry; lets a retry find a note it already made. */
  idempotencyKey: string;
}

/**
 * One CRM behind the `crm` action. Both calls must be safe to repeat with
 * the same input: a retry after an ambiguous failure (timeout, dropped
 * connection) repeats them, and must not create a second contact or note.
 * Failures are thrown as `ActionError`s.
 */
export interface CrmProvider {
  /** Id of the contact carrying `identity`, created when there is none. */
  findOrCreateContact(identity: CrmIdentity, signal: AbortSignal): Promise<string>;
  /** Id of the note for `note.idempotencyKey` on the contact, created when there is none. */
  addNote(contactId: string, note: CrmNote, signal: AbortSignal): Promise<string>;
}

/** What a provider is built from; the `crm` action's settings with defaults applied. */
export interface CrmProviderOptions {
  baseUrl: string;
  accessToken: string;
  /** Contact property that holds the identity value. */
  contactProperty: string;
  /** Note property that holds the run's idempotency key. */
  noteKeyProperty: string;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

export interface CrmProviderDefinition {
  /** API base URL used when the settings give none. */
  defaultBaseUrl: string;
  create(options: CrmProviderOptions): CrmProvider;
}

/**
 * The shared decision for a CRM's answer: a refused credential will be
 * refused again, so 401 and 403 are permanent `crm_auth`; everything else
 * follows the outbound HTTP policy (429 and 5xx retryable with Retry-After).
 */
export function crmStatusError(response: OutboundResponse, what: string): ActionError {
  if (response.status === 401 || response.status === 403) {
    return ActionError.permanent(
      'crm_auth',
      `${what} refused the access token (${response.status}); check the token and its scopes`,
      { status: response.status },
    );
  }

  return statusError(response, what);
}
