/** The BFF over fetch: the caller's key on every call, conditional GETs, errors as values the page can tell apart. */

const BASE = '/api/bff/tds';

/** An HTTP answer other than 2xx/304, with the API's machine code (AUTH.INVALID_API_KEY, ALERT.NOT_FOUND…). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** No HTTP answer at all: the server is down, restarting or the network is gone. */
export class ApiUnreachableError extends Error {}

interface Cached {
  etag: string;
  body: unknown;
}

export class BffClient {
  /** The last 200 of each GET path, answered again when the server says 304 Not Modified. */
  private readonly cached = new Map<string, Cached>();

  constructor(private readonly apiKey: string) {}

  /**
   * A GET with If-None-Match from the last answer, so an unchanged dashboard costs the server no
   * body. The browser's own cache is bypassed (`no-store`): it would turn our 304 into a 200 with
   * its stored copy only sometimes, and its copy may outlive the key that fetched it.
   */
  async get<T>(path: string): Promise<T> {
    const previous = this.cached.get(path);
    const response = await this.send(path, { method: 'GET', headers: previous ? { 'If-None-Match': previous.etag } : {} });
    if (response.status === 304 && previous) return previous.body as T;
    const body = (await readBody(response)) as T;
    const etag = response.headers.get('ETag');
    if (etag) this.cached.set(path, { etag, body });
    return body;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    const response = await this.send(path, {
      method: 'POST',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await readBody(response)) as T;
  }

  private async send(path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${BASE}/${path}`, {
        ...init,
        cache: 'no-store',
        headers: { ...init.headers, Accept: 'application/json', Authorization: `Bearer ${this.apiKey}` },
      });
    } catch (error) {
      throw new ApiUnreachableError(error instanceof Error ? error.message : String(error));
    }
    if (response.ok || response.status === 304) return response;
    throw await errorOf(response);
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  return text === '' ? null : (JSON.parse(text) as unknown);
}

/** TDS errors are `{ statusCode, error, message }`; a proxy in between may answer anything. */
async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    return new ApiError(response.status, String(body.error ?? response.status), String(body.message ?? response.statusText));
  } catch {
    return new ApiError(response.status, String(response.status), response.statusText || `HTTP ${response.status}`);
  }
}
