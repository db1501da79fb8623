/**
 * The UI's only way to the server: the public HTTP API (signed with WebCrypto HMAC) and the /ws
 * feed. Nothing here invents data; every value shown comes from a response or a pushed message.
 */
export * from './types';
export { Signer } from './sign';
export { ApiFailure, publicGet, signedCall } from './http';
export { Feed, type ConnState, type ConnStatus } from './feed';
