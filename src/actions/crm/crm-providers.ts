import { CrmProviderDefinition } from './crm-provider';
import { HUBSPOT_API_URL, HubSpotCrmProvider } from './hubspot-crm.provider';

/**
 * The CRMs the `crm` action can talk to, by the name used in
 * `settings.provider`.
 *
 * To add one: write a class implementing `CrmProvider` in this folder (see
 * `hubspot-crm.provider.ts`; call out through `sendRequest` so SSRF rules,
 * timeouts and retry classification stay the same, and map its errors with
 * `crmStatusError`), then add an entry here with its default API URL. The
 * settings validation and the handler pick it up from this map; nothing
 * outside this folder changes.
 */
export const CRM_PROVIDERS = {
  hubspot: {
    defaultBaseUrl: HUBSPOT_API_URL,
    create: (options) => new HubSpotCrmProvider(options),
  },
} satisfies Record<string, CrmProviderDefinition>;

export type CrmProviderName = keyof typeof CRM_PROVIDERS;

export const CRM_PROVIDER_NAMES = Object.keys(CRM_PROVIDERS) as CrmProviderName[];
