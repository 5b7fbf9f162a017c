import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
} from 'class-validator';

import { CRM_PROVIDER_NAMES, CrmProviderName } from './crm-providers';

export const IDENTIFY_BY = ['sender', 'conversation'] as const;
export type IdentifyBy = (typeof IDENTIFY_BY)[number];

// Escaped for HTML (HubSpot renders the note body as HTML) with line breaks kept.
export const DEFAULT_NOTE_TEMPLATE = '{{ content | escape | newline_to_br }}';
export const DEFAULT_CRM_SETTINGS = {
  contactProperty: 'maiagent_sender_id',
  noteKeyProperty: 'maiagent_run_key',
  identifyBy: 'sender',
  noteTemplate: DEFAULT_NOTE_TEMPLATE,
  timeoutMs: 10_000,
} as const;

const PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Settings of a `crm` action: one note per message on the contact it is about. */
export class CrmSettings {
  /** Which CRM: `hubspot`. */
  @IsIn(CRM_PROVIDER_NAMES)
  provider!: CrmProviderName;

  /** API base URL; default the provider's (`https://api.hubapi.com` for HubSpot). */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  baseUrl?: string;

  /** API token, e.g. a HubSpot private-app token; write `${HUBSPOT_TOKEN}`, never the token. */
  @IsString()
  @IsNotEmpty()
  accessToken!: string;

  /**
   * Contact property holding the identity value, used to find the contact
   * and set on contacts this action creates; default `maiagent_sender_id`.
   * Create it in the CRM first, ideally with unique values required.
   */
  @IsOptional()
  @Matches(PROPERTY_NAME, { message: 'contactProperty must be a property internal name' })
  contactProperty?: string;

  /**
   * Note property holding the run's idempotency key, so a retried run finds
   * the note it already made; default `maiagent_run_key`. Create it in the
   * CRM first as a single-line text property on notes.
   */
  @IsOptional()
  @Matches(PROPERTY_NAME, { message: 'noteKeyProperty must be a property internal name' })
  noteKeyProperty?: string;

  /** `sender` (default): the contact is MaiAgent's sender id; `conversation`: the conversation id. */
  @IsOptional()
  @IsIn(IDENTIFY_BY)
  identifyBy?: IdentifyBy;

  /** Liquid template of the note body; default the message content, HTML-escaped. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  noteTemplate?: string;

  /** Bound on each CRM request; default 10000. */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  timeoutMs?: number;
}
