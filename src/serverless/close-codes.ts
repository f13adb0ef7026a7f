// API Gateway cannot send WebSocket close codes. Where the container server closes with one, this
// flavour sends the protocol's `error` for the subscription at fault, then disconnects; the error
// names the code it replaces in `extensions.closeCode`, so a client can act as on that code (the
// SDK does: sdk/src/close-codes.ts). README: "what replaces each close code".
import { AppError } from '../errors.js';

/** `error` with the container's close code it stands for. */
export function closingError(error: AppError, closeCode: number): AppError {
  return new AppError(error.code, error.message, { ...error.extensions, closeCode });
}
