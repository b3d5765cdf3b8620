import { createContext, useContext } from "react";
import type { User } from "./types";

export type AuthStatus = "checking" | "anonymous" | "authenticated";

export interface AuthState {
  status: AuthStatus;
  user: User | null;
  login: (username: string, password: string) => Promise<void>;
  logout: () => void;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth() used outside <AuthProvider>");
  return auth;
}
