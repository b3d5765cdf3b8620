import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { BrowserRouter } from "react-router-dom";
import { ApiClient } from "./api";
import { ApiContext } from "./apiContext";
import { App } from "./App";
import { AuthProvider } from "./AuthProvider";
import { createI18n } from "./i18n";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("#root element missing from index.html");

const i18n = createI18n();
const api = new ApiClient();

createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <ApiContext.Provider value={api}>
        <BrowserRouter>
          <AuthProvider>
            <App />
          </AuthProvider>
        </BrowserRouter>
      </ApiContext.Provider>
    </I18nextProvider>
  </StrictMode>,
);
