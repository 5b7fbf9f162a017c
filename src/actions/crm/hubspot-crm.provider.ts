import { HttpMethod, OutboundResponse, sendRequest } from '../../infra/http/outbound-http';
import { ActionError } from '../action-error';
import {
  CrmIdentity,
  CrmNote,
  CrmProvider,
  CrmProviderOptions,
  crmStatusError,
} from './crm-provider';

export const HUBSPOT_API_URL = 'https://api.hubapi.com';

/** HubSpot-defined association type "note to contact". */
const NOTE_TO_CONTACT = 202;
/** hs_note_body is limited to 65,536 characters; a longer body would be rejected with a 400. */
const MAX_NOTE_CHARS = 65_536;
const CONTACTS = '/crm/v3/objects/contacts';
const NOTES = '/crm/v3/objects/notes';

interface SearchResponse {
  results?: { id?: unknown }[];
}

/**
 * HubSpot through its CRM v3 REST API with a private-app token. Retries are
 * BullMQ's alone: every call is a single request, and its failure is
 * classified and thrown.
 *
 * Contacts are found by `contactProperty` with the search API and created
 * when missing. Make that property unique in HubSpot ("require unique
 * values"): then two runs that race to create the same contact get a 409 for
 * the loser, which searches again instead of making a duplicate.
 *
 * Notes carry the run's idempotency key in `noteKeyProperty`, a custom
 * single-line text property that must exist on notes in the account. Before
 * creating a note the provider searches for one with the key, so a retry
 * after an ambiguous failure (the note was made but the answer was lost)
 * returns the existing note instead of adding a second one.
 *
 * Limitation: HubSpot's search index trails writes by a few seconds, so a
 * retry sooner than that after an ambiguous create can still duplicate the
 * note; and the search endpoints allow fewer requests per second than the
 * rest of the API, so bursts show up as retryable 429s.
 */
export class HubSpotCrmProvider implements CrmProvider {
  constructor(private readonly options: CrmProviderOptions) {}

  async findOrCreateContact(identity: CrmIdentity, signal: AbortSignal): Promise<string> {
    const property = this.options.contactProperty;
    const existing = await this.searchOne(CONTACTS, property, identity.value, signal);

    if (existing) {
      return existing;
    }

    const properties: Record<string, string> = { [property]: identity.value };

    if (identity.name) {
      properties.firstname = identity.name;
    }

    const response = await this.call('POST', CONTACTS, { properties }, signal, [409]);

    if (response.status !== 409) {
      return this.idOf(response, 'contact create');
    }

    // Another run created the contact between our search and our create.
    const raced = await this.searchOne(CONTACTS, property, identity.value, signal);

    if (raced) {
      return raced;
    }
    throw ActionError.retryable(
      'crm_contact_conflict',
      `HubSpot reports a contact with ${property}=${identity.value} exists but search does not find it yet`,
      { status: 409 },
    );
  }

  async addNote(contactId: string, note: CrmNote, signal: AbortSignal): Promise<string> {
    const keyProperty = this.options.noteKeyProperty;
    const existing = await this.searchOne(NOTES, keyProperty, note.idempotencyKey, signal);

    if (existing) {
      return existing;
    }

    const response = await this.call(
      'POST',
      NOTES,
      {
        properties: {
          hs_note_body: note.text.slice(0, MAX_NOTE_CHARS),
          hs_timestamp: note.timestamp.toISOString(),
          [keyProperty]: note.idempotencyKey,
        },
        associations: [
          {
            to: { id: contactId },
            types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: NOTE_TO_CONTACT }],
          },
        ],
      },
      signal,
    );

    return this.idOf(response, 'note create');
  }

  /** Id of the oldest object whose `property` equals `value`, if any. */
  private async searchOne(
    path: string,
    property: string,
    value: string,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const response = await this.call(
      'POST',
      `${path}/search`,
      {
        filterGroups: [{ filters: [{ propertyName: property, operator: 'EQ', value }] }],
        // Lowest id first (ids grow over time), so duplicates resolve to the same object every time.
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        properties: [property],
        limit: 1,
      },
      signal,
    );
    const [first] = this.json<SearchResponse>(response, `${path} search`).results ?? [];

    return first === undefined ? undefined : this.idFrom(first.id, `${path} search`);
  }

  private async call(
    method: HttpMethod,
    path: string,
    body: unknown,
    signal: AbortSignal,
    acceptedStatuses: number[] = [],
  ): Promise<OutboundResponse> {
    const response = await sendRequest({
      method,
      url: `${this.options.baseUrl.replace(/\/+$/, '')}${path}`,
      headers: {
        authorization: `Bearer ${this.options.accessToken}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
      timeoutMs: this.options.timeoutMs,
      allowPrivateNetworks: this.options.allowPrivateNetworks,
      signal,
    });
    const isSuccess = response.status >= 200 && response.status < 300;

    if (!isSuccess && !acceptedStatuses.includes(response.status)) {
      throw crmStatusError(response, `HubSpot ${method} ${path}`);
    }

    return response;
  }

  private idOf(response: OutboundResponse, what: string): string {
    return this.idFrom(this.json<{ id?: unknown }>(response, what).id, what);
  }

  private idFrom(id: unknown, what: string): string {
    if (typeof id === 'string' && id !== '') {
      return id;
    }
    throw this.badResponse(what);
  }

  private json<T>(response: OutboundResponse, what: string): T {
    try {
      return JSON.parse(response.body.toString('utf8')) as T;
    } catch (error) {
      throw this.badResponse(what, error);
    }
  }

  // Retryable: the write may have happened, and the idempotent searches make a retry safe.
  private badResponse(what: string, cause?: unknown): ActionError {
    return ActionError.retryable('crm_bad_response', `HubSpot ${what}: unexpected response body`, {
      cause,
    });
  }
}
