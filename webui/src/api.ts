/**
 * The only module that talks to the backend. Every request goes to /api/* with
 * `Authorization: Bearer <token>`; any 401 drops the token and notifies listeners
 * (the auth context then sends the user back to the login page).
 */
import { formatDetailLines } from "./errors";
import type { LiveStatus } from "./live/types";
import type {
  Camera,
  CameraCreate,
  CameraUpdate,
  Health,
  LoginResponse,
  Unit,
  User,
} from "./types";

export const TOKEN_KEY = "cityeye.token";

/** An HTTP error from the backend; `lines` are readable "field: msg" lines (may be empty). */
export class ApiError extends Error {
  readonly status: number;
  readonly lines: string[];

  constructor(status: number, lines: string[]) {
    super(lines.length > 0 ? lines.join("; ") : `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.lines = lines;
  }
}

/** The server could not be reached at all (network down, proxy refused, …). */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NetworkError";
  }
}

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  baseUrl?: string;
  fetchFn?: FetchFn;
  storage?: Pick<Storage, "getItem" | "setItem" | "removeItem">;
}

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** A WHEP answer: the server's SDP and the session URL (DELETE it to hang up). */
export interface WhepAnswer {
  sdp: string;
  location: string;
}

interface RequestOptions {
  body?: unknown;
  /** A non-JSON body, e.g. an SDP offer. */
  raw?: { body: string; contentType: string };
  signal?: AbortSignal;
  /** When false a 401 is returned to the caller without logging out (login form). */
  logoutOn401?: boolean;
}

async function readDetail(res: Response): Promise<string[]> {
  try {
    const payload: unknown = await res.json();
    if (typeof payload === "object" && payload !== null && "detail" in payload) {
      return formatDetailLines((payload as { detail: unknown }).detail);
    }
  } catch {
    // Not JSON (proxy error page, empty body): fall back to the status code.
  }
  return [];
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: FetchFn;
  private readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  private readonly listeners = new Set<() => void>();

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? "";
    this.fetchFn = options.fetchFn ?? ((input, init) => fetch(input, init));
    this.storage = options.storage ?? window.sessionStorage;
  }

  getToken(): string | null {
    return this.storage.getItem(TOKEN_KEY);
  }

  setToken(token: string): void {
    this.storage.setItem(TOKEN_KEY, token);
  }

  clearToken(): void {
    this.storage.removeItem(TOKEN_KEY);
  }

  /** Subscribe to "the session ended" (any 401). Returns an unsubscribe function. */
  onUnauthorized(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private signalUnauthorized(): void {
    this.clearToken();
    for (const listener of [...this.listeners]) listener();
  }

  /** Sends one request and returns the raw response once it is known to be OK (2xx). */
  private async send(method: Method, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    const token = this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers, signal: options.signal };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    } else if (options.raw !== undefined) {
      headers["Content-Type"] = options.raw.contentType;
      init.body = options.raw.body;
    }
    let res: Response;
    try {
      res = await this.fetchFn(`${this.baseUrl}${path}`, init);
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new NetworkError(err instanceof Error ? err.message : String(err));
    }
    if (res.ok) return res;
    const lines = await readDetail(res);
    if (res.status === 401 && options.logoutOn401 !== false) this.signalUnauthorized();
    throw new ApiError(res.status, lines);
  }

  private async json<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    return (await res.json()) as T;
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    this.clearToken();
    const result = await this.json<LoginResponse>("POST", "/api/auth/login", {
      body: { username, password },
      logoutOn401: false,
    });
    this.setToken(result.access_token);
    return result;
  }

  me(signal?: AbortSignal): Promise<User> {
    return this.json<User>("GET", "/api/auth/me", { signal });
  }

  cameras(signal?: AbortSignal): Promise<Camera[]> {
    return this.json<Camera[]>("GET", "/api/cameras", { signal });
  }

  camera(id: string, signal?: AbortSignal): Promise<Camera> {
    return this.json<Camera>("GET", `/api/cameras/${encodeURIComponent(id)}`, { signal });
  }

  createCamera(body: CameraCreate): Promise<Camera> {
    return this.json<Camera>("POST", "/api/cameras", { body });
  }

  updateCamera(id: string, body: CameraUpdate): Promise<Camera> {
    return this.json<Camera>("PATCH", `/api/cameras/${encodeURIComponent(id)}`, { body });
  }

  async deleteCamera(id: string): Promise<void> {
    await this.send("DELETE", `/api/cameras/${encodeURIComponent(id)}`);
  }

  /** Latest JPEG frame of a camera, or null while it has none yet (503). */
  async snapshot(id: string, signal?: AbortSignal): Promise<Blob | null> {
    try {
      const res = await this.send("GET", `/api/cameras/${encodeURIComponent(id)}/snapshot.jpg`, {
        signal,
      });
      return await res.blob();
    } catch (err) {
      if (err instanceof ApiError && (err.status === 503 || err.status === 404)) return null;
      throw err;
    }
  }

  /** WHEP: POST an SDP offer for a camera; 201 with the answer and the session's Location. */
  async whepOffer(cameraId: string, offer: string, signal?: AbortSignal): Promise<WhepAnswer> {
    const res = await this.send("POST", `/api/cameras/${encodeURIComponent(cameraId)}/whep`, {
      raw: { body: offer, contentType: "application/sdp" },
      signal,
    });
    const location = res.headers.get("Location");
    if (!location) throw new ApiError(res.status, ["WHEP answer without a Location header"]);
    return { sdp: await res.text(), location };
  }

  /** WHEP: end a session (a session that is already gone counts as ended). */
  async whepDelete(location: string): Promise<void> {
    try {
      await this.send("DELETE", location);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return;
      throw err;
    }
  }

  liveStatus(cameraId: string, signal?: AbortSignal): Promise<LiveStatus> {
    return this.json<LiveStatus>("GET", `/api/cameras/${encodeURIComponent(cameraId)}/live`, {
      signal,
    });
  }

  /** The HTTP live fallback: a multipart stream of JPEG pictures and overlay JSON parts. */
  async liveMjpeg(cameraId: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const res = await this.send("GET", `/api/cameras/${encodeURIComponent(cameraId)}/live.mjpeg`, {
      signal,
    });
    if (!res.body) throw new NetworkError("the live stream has no body");
    return res.body;
  }

  units(signal?: AbortSignal): Promise<Unit[]> {
    return this.json<Unit[]>("GET", "/api/units", { signal });
  }

  health(signal?: AbortSignal): Promise<Health> {
    return this.json<Health>("GET", "/api/health", { signal });
  }

  /** For feature modules (e.g. the duty desk): one request with the same token and errors. */
  request(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    return this.send(method, path, { body, signal });
  }
}
