import { NavLink } from "react-router-dom";
import { useTranslation } from "react-i18next";
import { useAuth } from "../authContext";
import { LangToggle } from "./LangToggle";

const NAV_ITEMS = ["wall", "desk", "tours", "playback", "flow", "map", "settings"] as const;

export function AppHeader() {
  const { t } = useTranslation();
  const { user, logout } = useAuth();
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">{t("app.name")}</span>
        <span className="brand-sub">{t("app.nameEn")}</span>
      </div>
      <nav className="main-nav" aria-label={t("nav.label")}>
        {NAV_ITEMS.map((item) => (
          <NavLink
            key={item}
            to={`/${item}`}
            data-testid={`nav-${item}`}
            className={({ isActive }) => (isActive ? "nav-link active" : "nav-link")}
          >
            {t(`nav.${item}`)}
          </NavLink>
        ))}
      </nav>
      <div className="header-tools">
        {user && (
          <div className="current-user" data-testid="current-user" title={t("header.userLabel")}>
            <span className="user-name">{user.display_name || user.username}</span>
            <span className="user-role" data-testid="current-role">
              {t(`role.${user.role}`)}
            </span>
            <span className="user-unit" data-testid="current-unit">
              {user.unit_name}
            </span>
          </div>
        )}
        <LangToggle />
        <button type="button" className="btn btn-ghost" data-testid="logout" onClick={logout}>
          {t("header.logout")}
        </button>
      </div>
    </header>
  );
}
