import { lazy, type ReactNode, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, Route, Routes } from "react-router-dom";
import { ArPage } from "./ar/ArPage";
import { CalibrationPage } from "./ar/CalibrationPage";
import { SiteMapPage } from "./ar/SiteMapPage";
import { Layout } from "./components/Layout";
import { DensityCalibrationPage } from "./density/DensityCalibrationPage";
import { DeskPage } from "./desk/DeskPage";
import { LivePage } from "./pages/LivePage";
import { LoginPage } from "./pages/LoginPage";
import { SettingsPage } from "./pages/SettingsPage";
import { WallPage } from "./pages/WallPage";
import { PlaybackIndex } from "./playback/PlaybackIndex";
import { ZoneEditorPage } from "./settings/zones/ZoneEditorPage";

// The dashboard pulls in ECharts (~1 MB): load it only when someone opens 客流.
const FlowPage = lazy(() => import("./flow/FlowPage").then((m) => ({ default: m.FlowPage })));

// Playback and patrol tours load on first use too.
const PlaybackPage = lazy(() =>
  import("./playback/PlaybackPage").then((m) => ({ default: m.PlaybackPage })));
const ToursPage = lazy(() => import("./tours/ToursPage").then((m) => ({ default: m.ToursPage })));
const TourRunPage = lazy(() =>
  import("./tours/TourRunPage").then((m) => ({ default: m.TourRunPage })));

function Loading({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return <Suspense fallback={<p className="muted">{t("app.loading")}</p>}>{children}</Suspense>;
}

function LazyFlow() {
  return (
    <Loading>
      <FlowPage />
    </Loading>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/wall" replace />} />
        <Route path="/wall" element={<WallPage />} />
        <Route path="/live/:cameraId" element={<LivePage />} />
        <Route path="/playback" element={<PlaybackIndex />} />
        <Route path="/playback/:cameraId" element={<Loading><PlaybackPage /></Loading>} />
        <Route path="/tours" element={<Loading><ToursPage /></Loading>} />
        <Route path="/tours/runs/:runId" element={<Loading><TourRunPage /></Loading>} />
        <Route path="/desk" element={<DeskPage />} />
        <Route path="/flow" element={<LazyFlow />} />
        <Route path="/map" element={<SiteMapPage />} />
        <Route path="/ar/:cameraId" element={<ArPage />} />
        <Route path="/ar/:cameraId/calibrate" element={<CalibrationPage />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="/settings/cameras/:id/zones" element={<ZoneEditorPage />} />
        <Route path="/settings/cameras/:id/density" element={<DensityCalibrationPage />} />
        <Route path="*" element={<Navigate to="/wall" replace />} />
      </Route>
    </Routes>
  );
}
