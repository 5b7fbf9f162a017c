import { LookupAddress, LookupOptions, lookup as dnsLookup } from 'node:dns';
import { BlockList, LookupFunction, isIP } from 'node:net';

import { ActionError } from '../../actions/action-error';

/**
 * Addresses an outbound call must not reach unless private networks are
 * allowed: the host itself, the internal network, cloud metadata endpoints.
 * Node's BlockList also matches IPv4-mapped IPv6 forms (`::ffff:10.0.0.1`)
 * against the IPv4 ranges.
 */
const BLOCKED_RANGES: ReadonlyArray<[network: string, prefix: number, family: 'ipv4' | 'ipv6']> = [
  // "This network"; Linux routes 0.0.0.0 to the local host.
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  // Carrier-grade NAT, internal to providers and some clouds.
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  // Link-local, home of 169.254.169.254 metadata services.
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  // Multicast, then reserved space up to the broadcast address.
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  // Unspecified, loopback and the deprecated IPv4-compatible forms.
  ['::', 96, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

// Limitation: NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are not
// decoded; behind a NAT64 gateway they could carry a request to a private
// IPv4 host.
const blockList = new BlockList();

for (const [network, prefix, family] of BLOCKED_RANGES) {
  blockList.addSubnet(network, prefix, family);
}

/** True for an address in a blocked range, and for anything that is not an IP address. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);

  if (family === 0) {
    return true;
  }

  return blockList.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export function ssrfBlocked(host: string, address: string): ActionError {
  return ActionError.permanent(
    'ssrf_blocked',
    `refused to connect to ${host} (${address}): private, loopback and link-local addresses are not allowed`,
  );
}

type Resolve = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for `net.connect` that drops blocked addresses from what DNS
 * returns. It runs as part of the connection itself, so a record that changes
 * between an earlier check and the connect (DNS rebinding) is still caught.
 * Fails with `ssrf_blocked` when no address is left.
 */
export function createGuardedLookup(resolve: Resolve = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, []);

        return;
      }

      const allowed = addresses.filter((entry) => !isBlockedAddress(entry.address));

      if (allowed.length === 0) {
        callback(ssrfBlocked(hostname, addresses[0]?.address ?? 'no address'), []);

        return;
      }
      if (options.all) {
        callback(null, allowed);

        return;
      }
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
