import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, NetworkError, TOKEN_KEY } from "./api";

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

function client(fetchFn: (input: string, init?: RequestInit) => Promise<Response>, token?: string) {
  const storage = memoryStorage(token ? { [TOKEN_KEY]: token } : {});
  return { api: new ApiClient({ fetchFn, storage }), storage };
}

describe("ApiClient", () => {
  it("sends the bearer token on every call", async () => {
    const fetchFn = vi.fn(async () => jsonResponse(200, []));
    const { api } = client(fetchFn, "tok-1");
    await api.cameras();
    const [url, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/cameras");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer tok-1");
  });

  it("drops the token and signals logout on 401", async () => {
    const fetchFn = vi.fn(async () => jsonResponse(401, { detail: "Token expired" }));
    const { api, storage } = client(fetchFn, "tok-1");
    const onLogout = vi.fn();
    api.onUnauthorized(onLogout);

    const err = await api.cameras().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
    expect(api.getToken()).toBeNull();
    expect(onLogout).toHaveBeenCalledTimes(1);
  });

  it("stops signalling after unsubscribe", async () => {
    const { api } = client(async () => jsonResponse(401, { detail: "no" }), "tok");
    const onLogout = vi.fn();
    const unsubscribe = api.onUnauthorized(onLogout);
    unsubscribe();
    await expect(api.health()).rejects.toBeInstanceOf(ApiError);
    expect(onLogout).not.toHaveBeenCalled();
  });

  it("keeps the session on other errors and reports pydantic details", async () => {
    const detail = [{ loc: ["body", "url"], msg: "Field required", type: "missing" }];
    const { api, storage } = client(async () => jsonResponse(422, { detail }), "tok");
    const onLogout = vi.fn();
    api.onUnauthorized(onLogout);
    const err = await api
      .createCamera({ id: "a", name: "A", url: "", unit: "u", analysis_fps: 5, loop: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).lines).toEqual(["url: Field required"]);
    expect(storage.getItem(TOKEN_KEY)).toBe("tok");
    expect(onLogout).not.toHaveBeenCalled();
  });

  it("stores the token on login and shows a wrong password without signalling logout", async () => {
    const user = { username: "li", display_name: "李明", role: "admin", unit_id: "d", unit_name: "区" };
    const ok = client(async () => jsonResponse(200, { access_token: "new", token_type: "bearer", user }));
    const result = await ok.api.login("li", "pw");
    expect(result.user.display_name).toBe("李明");
    expect(ok.storage.getItem(TOKEN_KEY)).toBe("new");

    const bad = client(async () => jsonResponse(401, { detail: "用户名或密码错误" }));
    const onLogout = vi.fn();
    bad.api.onUnauthorized(onLogout);
    const err = await bad.api.login("li", "wrong").catch((e: unknown) => e);
    expect((err as ApiError).message).toBe("用户名或密码错误");
    expect(onLogout).not.toHaveBeenCalled();
  });

  it("posts the login as JSON", async () => {
    const fetchFn = vi.fn(async () => jsonResponse(401, { detail: "x" }));
    const { api } = client(fetchFn);
    await api.login("li", "pw").catch(() => undefined);
    const [url, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/auth/login");
    expect(init.method).toBe("POST");
    expect((init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(JSON.parse(String(init.body))).toEqual({ username: "li", password: "pw" });
  });

  it("sends only the changed fields with PATCH", async () => {
    const fetchFn = vi.fn(async () => jsonResponse(200, {}));
    const { api } = client(fetchFn, "t");
    await api.updateCamera("cam 1", { enabled: false });
    const [url, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/cameras/cam%201");
    expect(init.method).toBe("PATCH");
    expect(JSON.parse(String(init.body))).toEqual({ enabled: false });
  });

  it("treats a 503 snapshot as 'no frame yet'", async () => {
    const { api } = client(async () => jsonResponse(503, { detail: "no frame" }), "t");
    await expect(api.snapshot("cam")).resolves.toBeNull();
  });

  it("returns the snapshot JPEG as a blob", async () => {
    const bytes = new Uint8Array([0xff, 0xd8, 0xff]);
    const { api } = client(async () => new Response(bytes, { status: 200 }), "t");
    const blob = await api.snapshot("cam");
    expect(blob?.size).toBe(3);
  });

  it("falls back to the status code for non-JSON errors", async () => {
    const { api } = client(async () => new Response("<html>Bad gateway</html>", { status: 502 }), "t");
    const err = await api.health().catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(502);
    expect((err as ApiError).lines).toEqual([]);
  });

  it("reports an unreachable server as a network error", async () => {
    const { api } = client(async () => {
      throw new TypeError("Failed to fetch");
    }, "t");
    await expect(api.health()).rejects.toBeInstanceOf(NetworkError);
  });
});
