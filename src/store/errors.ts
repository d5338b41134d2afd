// Typed store errors. Messages follow the API server's wording so that CLI output reads like
// kubectl's (`services "nginx" not found`).
export type StoreErrorCode = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Unavailable';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = `${code}Error`;
    this.code = code;
  }
}

/** `resource` is kubectl's plural form with group, e.g. `ciliumloadbalancerippools.cilium.io`. */
export class NotFoundError extends StoreError {
  constructor(resource: string, name: string) {
    super('NotFound', `${resource} "${name}" not found`);
  }
}

export class AlreadyExistsError extends StoreError {
  constructor(resource: string, name: string) {
    super('AlreadyExists', `${resource} "${name}" already exists`);
  }
}

/** The object changed since the caller read it (resourceVersion mismatch). Re-read and retry. */
export class ConflictError extends StoreError {
  constructor(resource: string, name: string) {
    super(
      'Conflict',
      `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  }
}

export class InvalidObjectError extends StoreError {
  constructor(message: string) {
    super('Invalid', message);
  }
}

/** The backend could not be reached (etcd down, timed out); the operation may be retried. */
export class StoreUnavailableError extends StoreError {
  constructor(message: string) {
    super('Unavailable', message);
  }
}
