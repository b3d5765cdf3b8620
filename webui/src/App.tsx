import { Navigate, Route, Routes } from "react-router-dom";
import { Layout } from "./components/Layout";
import { LoginPage } from "./pages/LoginPage";
import { SettingsPage } from "./pages/SettingsPage";
import { StatusPage } from "./pages/StatusPage";
import { WallPage } from "./pages/WallPage";

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/wall" replace />} />
        <Route path="/wall" element={<WallPage />} />
        <Route path="/desk" element={<StatusPage key="desk" section="desk" />} />
        <Route path="/flow" element={<StatusPage key="flow" section="flow" />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="*" element={<Navigate to="/wall" replace />} />
      </Route>
    </Routes>
  );
}
