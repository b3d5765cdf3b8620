import { Navigate, Outlet, useLocation } from "react-router-dom";
import { useTranslation } from "react-i18next";
import { useAuth } from "../authContext";
import { AppHeader } from "./AppHeader";

/** Signed-in shell: header + page. Sends anonymous users to /login. */
export function Layout() {
  const { status } = useAuth();
  const { t } = useTranslation();
  const location = useLocation();
  if (status === "checking") {
    return <div className="splash">{t("app.loading")}</div>;
  }
  if (status === "anonymous") {
    return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  }
  return (
    <div className="app">
      <AppHeader />
      <main className="app-main">
        <Outlet />
      </main>
    </div>
  );
}
