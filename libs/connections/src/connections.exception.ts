import { BrokerException } from '@app/common';

export enum ConnectionsExceptionCode {
  /** ConnectionsService: no connection with this id (or name) in this tenant. */
  CONNECTION_NOT_FOUND = 'connection_not_found',
  /** ConnectionsService.create/update: another connection of the tenant has this name. */
  CONNECTION_NAME_TAKEN = 'connection_name_taken',
  /** ConnectionsService.create/update: base_url is not an absolute http(s) URL without credentials, query or fragment. */
  INVALID_BASE_URL = 'invalid_base_url',
  /** ConnectionsService.update: the patch names no field to change. */
  EMPTY_PATCH = 'empty_patch',
  /**
   * ConnectionsService.update: base_url moves to another origin (scheme, host or port) without
   * `credentials`; the stored credential is bound to its origin (docs/vault.md#associated-data).
   */
  CREDENTIALS_REQUIRED_FOR_NEW_ORIGIN = 'credentials_required_for_new_origin',
}

export class ConnectionsException extends BrokerException<ConnectionsExceptionCode> {}

export function connectionNotFound(): ConnectionsException {
  return new ConnectionsException(
    404,
    ConnectionsExceptionCode.CONNECTION_NOT_FOUND,
    'No connection with this id or name exists in this tenant.',
  );
}

export function connectionNameTaken(name: string): ConnectionsException {
  return new ConnectionsException(
    409,
    ConnectionsExceptionCode.CONNECTION_NAME_TAKEN,
    `This tenant already has a connection named "${name}".`,
    {
      errors: [{ field: 'name', message: 'name is already used by another connection of this tenant' }],
    },
  );
}

export function credentialsRequiredForNewOrigin(): ConnectionsException {
  return new ConnectionsException(
    400,
    ConnectionsExceptionCode.CREDENTIALS_REQUIRED_FOR_NEW_ORIGIN,
    'The new base_url has another origin (scheme, host or port): the stored credential is bound to its origin, ' +
      'so send the credentials for the new one in the same request.',
    { errors: [{ field: 'credentials', message: 'credentials are required when base_url changes origin' }] },
  );
}
