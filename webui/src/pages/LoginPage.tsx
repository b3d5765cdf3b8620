import { useState, type FormEvent } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api";
import { useAuth } from "../authContext";
import { LangToggle } from "../components/LangToggle";
import { errorLines } from "../errorMessage";

function redirectTarget(state: unknown): string {
  if (typeof state === "object" && state !== null && "from" in state) {
    const from = (state as { from: unknown }).from;
    if (typeof from === "string" && from.startsWith("/") && from !== "/login") return from;
  }
  return "/wall";
}

export function LoginPage() {
  const { t } = useTranslation();
  const { status, login } = useAuth();
  const location = useLocation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string[]>([]);

  if (status === "authenticated") {
    return <Navigate to={redirectTarget(location.state)} replace />;
  }

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError([t("login.required")]);
      return;
    }
    setBusy(true);
    setError([]);
    try {
      await login(username.trim(), password);
    } catch (err) {
      const lines =
        err instanceof ApiError && err.status === 401 && err.lines.length === 0
          ? [t("login.failed")]
          : errorLines(err, t);
      setError(lines);
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <div className="login-lang">
        <LangToggle />
      </div>
      <form className="login-card" onSubmit={(e) => void submit(e)} noValidate>
        <div className="login-brand">
          <span className="brand-mark brand-mark-lg" aria-hidden="true" />
          <div>
            <h1 className="login-title">{t("app.name")}</h1>
            <div className="login-sub">
              {t("app.nameEn")} · {t("login.subtitle")}
            </div>
          </div>
        </div>
        <label className="field">
          <span className="field-label">{t("login.username")}</span>
          <input
            data-testid="login-username"
            name="username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">{t("login.password")}</span>
          <input
            data-testid="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error.length > 0 && (
          <div className="error-text" role="alert" data-testid="login-error">
            {error.map((line, i) => (
              <div key={i}>{line}</div>
            ))}
          </div>
        )}
        <button type="submit" className="btn btn-primary btn-block" data-testid="login-submit" disabled={busy}>
          {busy ? t("login.submitting") : t("login.submit")}
        </button>
      </form>
    </div>
  );
}
