import { createHash, timingSafeEqual } from 'node:crypto';

import { AdminConfig } from '../infra/config';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Checks an `Authorization: Basic` header against the configured admin
 * credentials in constant time. Without configured credentials nothing passes.
 */
export function isAdminAuthorized(header: string | undefined, admin: AdminConfig): boolean {
  if (!admin.username || !admin.password || !header?.startsWith('Basic ')) {
    return false;
  }

  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');

  if (colon < 0) {
    return false;
  }

  const isUserOk = timingSafeEqual(digest(decoded.slice(0, colon)), digest(admin.username));
  const isPasswordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(admin.password));

  return isUserOk && isPasswordOk;
}
