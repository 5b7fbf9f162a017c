import { plainToInstance } from 'class-transformer';

import { ActionRunContext } from '../../src/actions/action-handler';
import { CrmActionHandler, PreparedCrmAction } from '../../src/actions/crm/crm-action.handler';
import { CrmSettings } from '../../src/actions/crm/crm-settings.dto';
import { closeOutboundHttp } from '../../src/infra/http/outbound-http';
import {
  actionMessage,
  actionRunContext,
  failureOf,
  prepareTools,
} from '../support/action-run-factory';
import { HubSpotServer, startHubSpotServer } from '../support/hubspot-server';

const TOKEN = 'pat-test-token';
const CONTACT_SEARCH = '/crm/v3/objects/contacts/search';
const CONTACTS = '/crm/v3/objects/contacts';
const NOTES = '/crm/v3/objects/notes';

const handler = new CrmActionHandler();
let hubspot: HubSpotServer;

beforeEach(async () => {
  // A fresh account per test: contacts and notes never leak between cases.
  hubspot = await startHubSpotServer({
    token: TOKEN,
    uniqueContactProperty: 'maiagent_sender_id',
    contactProperties: ['maiagent_sender_id'],
    noteProperties: ['maiagent_run_key'],
  });
});

afterEach(async () => {
  await hubspot.close();
});

afterAll(async () => {
  await closeOutboundHttp();
});

function prepared(settings: Partial<CrmSettings> = {}): PreparedCrmAction {
  return handler.prepare(
    plainToInstance(CrmSettings, {
      provider: 'hubspot',
      baseUrl: hubspot.url,
      accessToken: TOKEN,
      ...settings,
    }),
    prepareTools(),
  );
}

function runFor(senderId: string, overrides: Partial<ActionRunContext> = {}): ActionRunContext {
  return actionRunContext({
    message: actionMessage({
      content: 'Price for 3 units?\nAnd <b>delivery</b>?',
      sender: { id: senderId, name: 'Mei', avatar: null },
      createdAt: '2025-03-04T05:06:07.000Z',
    }),
    ...overrides,
  });
}

describe('crm action with HubSpot', () => {
  it('creates the contact when missing and adds the rendered note to it', async () => {
    const context = runFor('sender-1');

    const result = await handler.execute(prepared(), context);

    expect(hubspot.contacts).toHaveLength(1);

    const [contact] = hubspot.contacts;
    const [note] = hubspot.notes;

    expect(contact.properties).toMatchObject({ maiagent_sender_id: 'sender-1', firstname: 'Mei' });
    expect(hubspot.notes).toHaveLength(1);
    expect(note.properties).toMatchObject({
      hs_note_body: 'Price for 3 units?<br />\nAnd &lt;b&gt;delivery&lt;/b&gt;?',
      hs_timestamp: '2025-03-04T05:06:07.000Z',
      maiagent_run_key: context.idempotencyKey,
    });
    expect(note.associations).toEqual([
      { toId: contact.id, associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 },
    ]);
    expect(result).toEqual({ detail: `note ${note.id} on contact ${contact.id}` });
  });

  it('finds an existing contact instead of creating one', async () => {
    const existing = hubspot.addContact({ maiagent_sender_id: 'sender-2', firstname: 'Old' });

    await handler.execute(
      prepared({ noteTemplate: 'From {{ sender.name }}: {{ content }}' }),
      runFor('sender-2'),
    );

    expect(hubspot.contacts).toHaveLength(1);
    expect(hubspot.notes).toHaveLength(1);
    expect(hubspot.notes[0].associations[0].toId).toBe(existing.id);
    expect(hubspot.notes[0].properties.hs_note_body).toBe(
      'From Mei: Price for 3 units?\nAnd <b>delivery</b>?',
    );
    expect(hubspot.requests.map((request) => request.url)).not.toContain(CONTACTS);
  });

  it('identifies the contact by conversation when configured', async () => {
    const context = runFor('sender-3');

    await handler.execute(prepared({ identifyBy: 'conversation' }), context);

    expect(hubspot.contacts.map((contact) => contact.properties.maiagent_sender_id)).toEqual([
      context.message.conversation,
    ]);
  });

  it('creates one note when the same run executes twice', async () => {
    const first = runFor('sender-4');
    const action = prepared();

    await handler.execute(action, first);
    await handler.execute(action, { ...first, attempt: 2 });

    expect(hubspot.contacts).toHaveLength(1);
    expect(hubspot.notes).toHaveLength(1);
  });

  it('does not duplicate a note whose creation answer was lost', async () => {
    const first = runFor('sender-5');
    const action = prepared();

    // HubSpot stores the note but the answer is a 502, so the attempt looks failed.
    hubspot.failNext({ path: NOTES, status: 502, isAfterWrite: true });

    const failure = await failureOf(handler.execute(action, first));

    expect(failure).toMatchObject({ code: 'http_502', isRetryable: true });
    expect(hubspot.notes).toHaveLength(1);

    const result = await handler.execute(action, { ...first, attempt: 2 });

    expect(hubspot.notes).toHaveLength(1);
    expect(result.detail).toContain(`note ${hubspot.notes[0].id}`);
  });

  it('uses the contact another run created between search and create (409)', async () => {
    hubspot.beforeNext(CONTACTS, () => {
      hubspot.addContact({ maiagent_sender_id: 'sender-6' });
    });

    await handler.execute(prepared(), runFor('sender-6'));

    expect(hubspot.contacts).toHaveLength(1);
    expect(hubspot.notes[0].associations[0].toId).toBe(hubspot.contacts[0].id);
    // The second search is the one that follows the 409.
    expect(hubspot.requests.filter((request) => request.url === CONTACT_SEARCH)).toHaveLength(2);
  });

  it('fails permanently with crm_auth when HubSpot refuses the token (401)', async () => {
    const failure = await failureOf(
      handler.execute(prepared({ accessToken: 'wrong-token' }), runFor('sender-7')),
    );

    expect(failure).toMatchObject({ code: 'crm_auth', isRetryable: false, status: 401 });
    expect(hubspot.contacts).toHaveLength(0);
  });

  it('fails permanently with crm_auth on a 403 (missing scope)', async () => {
    hubspot.failNext({ path: CONTACT_SEARCH, status: 403 });

    const failure = await failureOf(handler.execute(prepared(), runFor('sender-8')));

    expect(failure).toMatchObject({ code: 'crm_auth', isRetryable: false, status: 403 });
  });

  it('retries a 500', async () => {
    hubspot.failNext({ path: CONTACT_SEARCH, status: 500 });

    const failure = await failureOf(handler.execute(prepared(), runFor('sender-9')));

    expect(failure).toMatchObject({ code: 'http_500', isRetryable: true, status: 500 });
    expect(hubspot.notes).toHaveLength(0);
  });

  it('retries a 429 after the Retry-After HubSpot gave', async () => {
    hubspot.failNext({ path: `${NOTES}/search`, status: 429, headers: { 'retry-after': '3' } });

    const failure = await failureOf(handler.execute(prepared(), runFor('sender-10')));

    expect(failure).toMatchObject({ code: 'http_429', isRetryable: true, retryAfterMs: 3000 });
  });

  it('fails permanently when the note key property does not exist in the account', async () => {
    const failure = await failureOf(
      handler.execute(prepared({ noteKeyProperty: 'missing_property' }), runFor('sender-11')),
    );

    expect(failure).toMatchObject({ code: 'http_400', isRetryable: false, status: 400 });
  });

  it('fails permanently when the message has no sender id', async () => {
    const context = actionRunContext({
      message: actionMessage({ sender: { id: null, name: null, avatar: null } }),
    });

    const failure = await failureOf(handler.execute(prepared(), context));

    expect(failure).toMatchObject({ code: 'crm_no_identity', isRetryable: false });
    expect(hubspot.requests).toHaveLength(0);
  });
});
