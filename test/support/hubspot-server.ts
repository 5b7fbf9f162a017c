import { ServerResponse } from 'node:http';

import { LocalHttpServer, RecordedRequest, sendJson, startHttpServer } from './local-http-server';

export interface HubSpotAssociation {
  toId: string;
  associationCategory: string;
  associationTypeId: number;
}

export interface HubSpotObject {
  id: string;
  properties: Record<string, string>;
  associations: HubSpotAssociation[];
}

export interface HubSpotFault {
  path: string;
  status: number;
  headers?: Record<string, string>;
  /** Do the work, then answer with the fault: a write whose answer was lost. */
  isAfterWrite?: boolean;
}

export interface HubSpotServerOptions {
  token: string;
  /** Contact property with "require unique values" set: a duplicate create gets a 409. */
  uniqueContactProperty?: string;
  /** Custom properties that exist in the account, besides HubSpot's defaults. */
  contactProperties?: string[];
  noteProperties?: string[];
}

export interface HubSpotServer {
  url: string;
  contacts: HubSpotObject[];
  notes: HubSpotObject[];
  requests: RecordedRequest[];
  addContact(properties: Record<string, string>): HubSpotObject;
  /** Answers the next request to `path` with a fault instead of (or after) the real work. */
  failNext(fault: HubSpotFault): void;
  /** Runs `action` just before the next request to `path` is handled. */
  beforeNext(path: string, action: () => void): void;
  close(): Promise<void>;
}

const CONTACTS = '/crm/v3/objects/contacts';
const NOTES = '/crm/v3/objects/notes';
const DEFAULT_CONTACT_PROPERTIES = ['email', 'firstname', 'lastname', 'hs_object_id'];
const DEFAULT_NOTE_PROPERTIES = [
  'hs_note_body',
  'hs_timestamp',
  'hubspot_owner_id',
  'hs_attachment_ids',
  'hs_object_id',
];

type Json = Record<string, unknown>;

class HubSpotError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An in-memory stand-in for the parts of HubSpot's CRM v3 API the `crm`
 * action uses, answering in HubSpot's shapes: Bearer-token auth, contact and
 * note search (EQ filters, sort by hs_object_id, limit), contact create with
 * an optional unique property, note create with associations, and HubSpot's
 * rejection of unknown properties.
 */
export async function startHubSpotServer(options: HubSpotServerOptions): Promise<HubSpotServer> {
  const contacts: HubSpotObject[] = [];
  const notes: HubSpotObject[] = [];
  const faults: HubSpotFault[] = [];
  const hooks: { path: string; action: () => void }[] = [];
  const known = {
    contacts: new Set([...DEFAULT_CONTACT_PROPERTIES, ...(options.contactProperties ?? [])]),
    notes: new Set([...DEFAULT_NOTE_PROPERTIES, ...(options.noteProperties ?? [])]),
  };
  let nextId = 1001;

  function create(
    store: HubSpotObject[],
    properties: Record<string, string>,
    associations: HubSpotAssociation[] = [],
  ): HubSpotObject {
    const id = String(nextId++);
    const object: HubSpotObject = {
      id,
      properties: { ...properties, hs_object_id: id },
      associations,
    };

    store.push(object);

    return object;
  }

  function route(request: RecordedRequest): { status: number; body: unknown } {
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      throw new HubSpotError(
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
      );
    }
    if (request.method !== 'POST') {
      throw new HubSpotError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not supported`);
    }

    const body = parseBody(request.body);

    switch (request.url) {
      case `${CONTACTS}/search`:
        return { status: 200, body: search(contacts, known.contacts, body) };
      case `${NOTES}/search`:
        return { status: 200, body: search(notes, known.notes, body) };
      case CONTACTS:
        return { status: 201, body: view(createContact(body)) };
      case NOTES:
        return { status: 201, body: view(createNote(body)) };
      default:
        throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `no route ${request.url}`);
    }
  }

  function createContact(body: Json): HubSpotObject {
    const properties = propertiesOf(body, known.contacts);
    const unique = options.uniqueContactProperty;
    const clash = unique
      ? contacts.find((contact) => contact.properties[unique] === properties[unique])
      : undefined;

    if (unique && properties[unique] !== undefined && clash) {
      throw new HubSpotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${clash.id}`);
    }

    return create(contacts, properties);
  }

  function createNote(body: Json): HubSpotObject {
    const properties = propertiesOf(body, known.notes);

    if (!properties.hs_timestamp) {
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        'Error creating NOTE. Some required properties were not set.',
      );
    }

    const associations = (Array.isArray(body.associations) ? body.associations : []).map(
      (raw: unknown): HubSpotAssociation => {
        const association = raw as { to?: { id?: unknown }; types?: unknown };
        const types = Array.isArray(association.types) ? (association.types as Json[]) : [];
        const toId = association.to?.id;

        if (typeof toId !== 'string' || !contacts.some((contact) => contact.id === toId)) {
          throw new HubSpotError(400, 'VALIDATION_ERROR', `no object with id ${String(toId)}`);
        }
        if (
          types.length !== 1 ||
          types[0].associationCategory !== 'HUBSPOT_DEFINED' ||
          types[0].associationTypeId !== 202
        ) {
          throw new HubSpotError(400, 'VALIDATION_ERROR', 'invalid association type for note');
        }

        return { toId, associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 };
      },
    );

    return create(notes, properties, associations);
  }

  const server: LocalHttpServer = await startHttpServer((request, response) => {
    const path = request.url;
    const hookIndex = hooks.findIndex((hook) => hook.path === path);

    if (hookIndex >= 0) {
      hooks.splice(hookIndex, 1)[0].action();
    }

    const faultIndex = faults.findIndex((fault) => fault.path === path);
    const fault = faultIndex >= 0 ? faults.splice(faultIndex, 1)[0] : undefined;

    if (fault && !fault.isAfterWrite) {
      answerFault(response, fault);

      return;
    }

    let outcome: { status: number; body: unknown };

    try {
      outcome = route(request);
    } catch (error) {
      if (!(error instanceof HubSpotError)) {
        throw error;
      }
      outcome = {
        status: error.status,
        body: { status: 'error', message: error.message, category: error.category },
      };
    }
    if (fault) {
      answerFault(response, fault);

      return;
    }
    sendJson(response, outcome.status, outcome.body);
  });

  return {
    url: server.url,
    contacts,
    notes,
    requests: server.requests,
    addContact: (properties) => create(contacts, properties),
    failNext: (fault) => faults.push(fault),
    beforeNext: (path, action) => hooks.push({ path, action }),
    close: () => server.close(),
  };
}

function answerFault(response: ServerResponse, fault: HubSpotFault): void {
  response.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
  response.end(JSON.stringify({ status: 'error', message: 'injected fault', category: 'FAULT' }));
}

function parseBody(body: Buffer): Json {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));

    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Json;
    }
  } catch {
    // Falls through to HubSpot's answer for a body it cannot read.
  }
  throw new HubSpotError(400, 'VALIDATION_ERROR', 'Invalid input JSON');
}

function propertiesOf(body: Json, known: Set<string>): Record<string, string> {
  const properties = (body.properties ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(properties).filter((name) => !known.has(name));

  if (unknown.length > 0) {
    throw new HubSpotError(
      400,
      'VALIDATION_ERROR',
      `Property values were not valid: ${unknown.map((name) => `Property "${name}" does not exist`).join(', ')}`,
    );
  }
  if (Object.values(properties).some((value) => typeof value !== 'string')) {
    throw new HubSpotError(400, 'VALIDATION_ERROR', 'property values must be strings');
  }

  return properties as Record<string, string>;
}

function search(store: HubSpotObject[], known: Set<string>, body: Json): Json {
  const groups = (body.filterGroups ?? []) as { filters?: Json[] }[];
  const filters = groups.flatMap((group) => group.filters ?? []);

  for (const filter of filters) {
    if (filter.operator !== 'EQ' || !known.has(String(filter.propertyName))) {
      throw new HubSpotError(400, 'VALIDATION_ERROR', 'There was a problem with the request.');
    }
  }

  const matches = store
    .filter((object) =>
      groups.some((group) =>
        (group.filters ?? []).every(
          (filter) => object.properties[String(filter.propertyName)] === filter.value,
        ),
      ),
    )
    .sort((a, b) => Number(a.id) - Number(b.id));
  const limit = typeof body.limit === 'number' ? body.limit : 10;

  return { total: matches.length, results: matches.slice(0, limit).map(view) };
}

function view(object: HubSpotObject): Json {
  return {
    id: object.id,
    properties: object.properties,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    archived: false,
  };
}
