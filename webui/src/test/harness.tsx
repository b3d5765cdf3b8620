import { render, type RenderResult } from "@testing-library/react";
import type { ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import { MemoryRouter } from "react-router-dom";
import { ApiClient } from "../api";
import { ApiContext } from "../apiContext";
import { AuthProvider } from "../AuthProvider";
import { createI18n } from "../i18n";
import type { Camera } from "../types";

export type Handler = (path: string, init: RequestInit | undefined) => Response | undefined;

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/** Renders `ui` with the real providers; `handler` answers fetches (unanswered → 404). */
export function renderWith(
  ui: ReactNode,
  handler: Handler,
  options: { path?: string; token?: string } = {},
): RenderResult & { api: ApiClient } {
  sessionStorage.clear();
  if (options.token) sessionStorage.setItem("cityeye.token", options.token);
  const api = new ApiClient({
    fetchFn: async (path, init) => handler(path, init) ?? jsonResponse(404, { detail: "Not Found" }),
  });
  const result = render(
    <I18nextProvider i18n={createI18n()}>
      <ApiContext.Provider value={api}>
        <MemoryRouter initialEntries={[options.path ?? "/"]}>
          <AuthProvider>{ui}</AuthProvider>
        </MemoryRouter>
      </ApiContext.Provider>
    </I18nextProvider>,
  );
  return { ...result, api };
}

export const ADMIN = {
  username: "admin",
  display_name: "王强",
  role: "admin",
  unit_id: "huangpu",
  unit_name: "黄浦区",
} as const;

export function makeCamera(overrides: Partial<Camera> = {}): Camera {
  return {
    id: "cam-1",
    name: "南京东路步行街东口",
    url: "rtsp://10.0.0.5/stream1",
    unit_id: "nanjing-east",
    unit_name: "南京东路街道",
    lat: null,
    lon: null,
    enabled: true,
    analysis_fps: 5,
    analysis_width: 640,
    loop: true,
    transport: "tcp",
    zones: [],
    lines: [],
    status: "online",
    last_error: null,
    health: null,
    ...overrides,
  };
}
