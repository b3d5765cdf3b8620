import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { useApi } from "./apiContext";
import { AuthContext, type AuthState, type AuthStatus } from "./authContext";
import type { User } from "./types";

/** Holds the signed-in user; restores it from the session token via GET /api/auth/me. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<AuthStatus>(() =>
    api.getToken() ? "checking" : "anonymous",
  );

  useEffect(
    () =>
      api.onUnauthorized(() => {
        setUser(null);
        setStatus("anonymous");
      }),
    [api],
  );

  useEffect(() => {
    if (status !== "checking") return;
    const controller = new AbortController();
    api
      .me(controller.signal)
      .then((me) => {
        setUser(me);
        setStatus("authenticated");
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        // A 401 already cleared the token; other failures keep it but show the login page.
        console.warn("session restore failed", err);
        setUser(null);
        setStatus("anonymous");
      });
    return () => controller.abort();
  }, [api, status]);

  const login = useCallback(
    async (username: string, password: string) => {
      const result = await api.login(username, password);
      setUser(result.user);
      setStatus("authenticated");
    },
    [api],
  );

  const logout = useCallback(() => {
    api.clearToken();
    setUser(null);
    setStatus("anonymous");
  }, [api]);

  const value = useMemo<AuthState>(
    () => ({ status, user, login, logout }),
    [status, user, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
