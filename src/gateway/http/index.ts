export { buildHttpApp, type HttpAppOptions } from './app.js';
export { authHook } from './auth-hook.js';
