import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { CameraCard } from "./components/CameraCard";
import { HealthPanel } from "./components/HealthPanel";
import { LangToggle } from "./components/LangToggle";
import { ADMIN, jsonResponse, makeCamera, renderWith } from "./test/harness";

beforeEach(() => localStorage.clear());
afterEach(cleanup);

describe("language toggle", () => {
  it("shows English in Chinese mode and 中文 in English mode", async () => {
    renderWith(<LangToggle />, () => undefined);
    const button = screen.getByTestId("lang-toggle");
    expect(button.textContent).toBe("English");
    await act(async () => fireEvent.click(button));
    expect(screen.getByTestId("lang-toggle").textContent).toBe("中文");
    expect(document.documentElement.lang).toBe("en");
    expect(localStorage.getItem("cityeye.lang")).toBe("en");
  });
});

describe("camera card", () => {
  it("shows status, resolution, fps and the last error", () => {
    renderWith(
      <>
        <CameraCard
          camera={makeCamera({
            id: "a",
            status: "online",
            health: {
              fps_in: 25,
              fps_decoded: 24.96,
              frames_decoded: 100,
              drops: 0,
              reconnects: 0,
              bytes_in: 1,
              width: 1920,
              height: 1080,
              codec: "h264",
            },
          })}
        />
        <CameraCard camera={makeCamera({ id: "b", status: "error", last_error: "连接被拒绝" })} />
      </>,
      () => jsonResponse(503, { detail: "no frame" }),
    );
    const [online, failed] = screen.getAllByTestId("camera-card");
    expect(online.dataset.cameraId).toBe("a");
    expect(online.dataset.status).toBe("online");
    expect(online.textContent).toContain("在线");
    expect(online.textContent).toContain("1920×1080");
    expect(online.textContent).toContain("25.0 帧/秒");
    expect(failed.textContent).toContain("错误");
    expect(failed.textContent).toContain("最近错误：连接被拒绝");
  });
});

describe("auth flow", () => {
  it("shows the server's message when login fails", async () => {
    renderWith(<App />, (path) =>
      path === "/api/auth/login" ? jsonResponse(401, { detail: "用户名或密码错误" }) : undefined,
    { path: "/login" });
    fireEvent.change(screen.getByTestId("login-username"), { target: { value: "li" } });
    fireEvent.change(screen.getByTestId("login-password"), { target: { value: "bad" } });
    fireEvent.click(screen.getByTestId("login-submit"));
    expect((await screen.findByTestId("login-error")).textContent).toBe("用户名或密码错误");
  });

  it("logs in and lands on the wall with a summary", async () => {
    renderWith(<App />, (path) => {
      if (path === "/api/auth/login")
        return jsonResponse(200, { access_token: "tok", token_type: "bearer", user: ADMIN });
      if (path === "/api/cameras")
        return jsonResponse(200, [makeCamera({ id: "a" }), makeCamera({ id: "b", status: "offline" })]);
      if (path.endsWith("/snapshot.jpg")) return jsonResponse(503, { detail: "no frame" });
      return undefined;
    }, { path: "/login" });
    fireEvent.change(screen.getByTestId("login-username"), { target: { value: "admin" } });
    fireEvent.change(screen.getByTestId("login-password"), { target: { value: "pw" } });
    fireEvent.click(screen.getByTestId("login-submit"));
    expect((await screen.findByTestId("wall-summary")).textContent).toBe("在线 1 / 共 2");
    expect(screen.getByTestId("current-user").textContent).toContain("管理员");
    expect(sessionStorage.getItem("cityeye.token")).toBe("tok");
  });

  it("returns to the login page when the session expires", async () => {
    renderWith(<App />, (path) => {
      if (path === "/api/auth/me") return jsonResponse(200, ADMIN);
      if (path === "/api/cameras") return jsonResponse(401, { detail: "Token expired" });
      return undefined;
    }, { path: "/wall", token: "old" });
    await waitFor(() => expect(screen.getByTestId("login-submit")).toBeTruthy());
    expect(sessionStorage.getItem("cityeye.token")).toBeNull();
  });

  it("shows the settings table read-only to non-admins", async () => {
    renderWith(<App />, (path) => {
      if (path === "/api/auth/me") return jsonResponse(200, { ...ADMIN, role: "patroller" });
      if (path === "/api/cameras") return jsonResponse(200, [makeCamera()]);
      if (path === "/api/health")
        return jsonResponse(200, {
          status: "ok",
          version: "0.1.0",
          cameras_online: 1,
          cameras_total: 1,
          models_loaded: [],
          bus: "ok",
          database: "ok",
        });
      return undefined;
    }, { path: "/settings", token: "t" });
    expect(await screen.findByTestId("camera-row")).toBeTruthy();
    expect(screen.queryByTestId("camera-edit")).toBeNull();
    expect(screen.queryByTestId("camera-add-form")).toBeNull();
    expect((await screen.findByText("服务端版本：0.1.0")).dataset.testid).toBe("about-version");
  });
});

describe("health panel", () => {
  it("lists each loaded model on its own line, or says none", () => {
    const health = {
      status: "ok" as const,
      version: "0.1.0",
      cameras_online: 4,
      cameras_total: 4,
      models_loaded: ["cityeye_density.pt", "yolo11n_int8_openvino_model"],
      bus: "in-process",
      database: "ok",
    };
    renderWith(<HealthPanel health={health} failed={false} />, () => undefined);
    const items = screen.getByTestId("health-models").querySelectorAll("li");
    expect(Array.from(items, (li) => li.textContent)).toEqual([
      "cityeye_density.pt",
      "yolo11n_int8_openvino_model",
    ]);
    cleanup();
    renderWith(<HealthPanel health={{ ...health, models_loaded: [] }} failed={false} />, () => undefined);
    expect(screen.getByTestId("health-models").querySelectorAll("li")).toHaveLength(0);
    expect(screen.getByTestId("health-models").textContent).toContain("无");
  });
});
