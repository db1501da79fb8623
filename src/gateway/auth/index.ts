/**
 * Request signing and verification (docs/api.md §2): HMAC-SHA256 of `ts + METHOD + pathWithQuery +
 * body`, a ±30 s timestamp window, and each signature accepted once within it. Key lookup is
 * injected: the store holds keys, never a secret in plain text.
 */
export {
  AUTH_FAILED,
  Authenticator,
  type AuthenticatorOptions,
  type KeyResolver,
  type Principal,
  type ResolvedKey,
  type Role,
  type SignedHeaders,
} from './authenticator.js';
export { sign, signRequest, signingPayload, sameSignature } from './signature.js';
