import type { ApiErrorBody } from './types';
import type { Signer } from './sign';

/** A refused request: the server's reason code and message, shown to the user as they are. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

async function send<T>(
  method: string,
  path: string,
  body: string,
  headers: HeadersInit,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === '' ? undefined : body });
  } catch (err) {
    throw new ApiFailure(0, 'network', `Cannot reach the server: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiFailure(res.status, 'malformed', `Server sent non-JSON (${res.status})`);
  }
  if (!res.ok) {
    const e = (json as { error?: ApiErrorBody }).error;
    throw new ApiFailure(res.status, e?.reason ?? 'internal', e?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

/** An unsigned GET of a public route. */
export function publicGet<T>(path: string): Promise<T> {
  return send<T>('GET', path, '', {});
}

/** A signed call: `ts + METHOD + pathWithQuery + body`, HMAC-SHA256 keyed by the secret. */
export async function signedCall<T>(
  signer: Signer,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  payload?: unknown,
): Promise<T> {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const ts = signer.nextTs();
  const headers: Record<string, string> = {
    'x-cb-key': signer.keyId,
    'x-cb-ts': String(ts),
    'x-cb-sign': await signer.sign(ts, method, path, body),
  };
  if (body !== '') headers['content-type'] = 'application/json';
  return send<T>(method, path, body, headers);
}
