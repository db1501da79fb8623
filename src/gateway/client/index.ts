/** Client helpers for the public API: signed HTTP calls and a WebSocket client. */
export { signedRequest, type ApiKeyPair, type HttpResult } from './signed-http.js';
export { CrossbookWs, type WsResponse } from './ws-client.js';
