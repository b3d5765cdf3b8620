import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import type { Camera } from "../types";
import { parseNumber, type UnitOption } from "./cameraForm";
import { UnitSelect } from "./UnitSelect";

interface Props {
  units: UnitOption[];
  onCreated: (camera: Camera) => void;
}

const EMPTY = { id: "", name: "", url: "", unit_id: "", analysis_fps: "5", loop: true };

const REQUIRED = ["id", "name", "url", "unit_id", "analysis_fps"] as const;

const FIELD_LABELS = {
  id: "camera.id",
  name: "camera.name",
  url: "camera.url",
  unit_id: "camera.unit",
  analysis_fps: "camera.fps",
} as const;

export function CameraAddForm({ units, onCreated }: Props) {
  const api = useApi();
  const { t } = useTranslation();
  const [form, setForm] = useState(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string[]>([]);

  const set = <K extends keyof typeof EMPTY>(key: K, value: (typeof EMPTY)[K]): void =>
    setForm((f) => ({ ...f, [key]: value }));

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const missing = REQUIRED.filter((key) => form[key].trim() === "");
    if (missing.length > 0) {
      const fields = missing.map((key) => t(FIELD_LABELS[key])).join(t("app.listSeparator"));
      setError([t("camera.required", { fields })]);
      return;
    }
    setBusy(true);
    setError([]);
    try {
      const camera = await api.createCamera({
        id: form.id.trim(),
        name: form.name.trim(),
        url: form.url.trim(),
        unit: form.unit_id,
        analysis_fps: parseNumber(form.analysis_fps),
        loop: form.loop,
      });
      setForm(EMPTY);
      onCreated(camera);
    } catch (err) {
      setError(errorLines(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel camera-form" data-testid="camera-add-form" onSubmit={(e) => void submit(e)} noValidate>
      <h3 className="panel-subtitle">{t("camera.addTitle")}</h3>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">{t("camera.id")}</span>
          <input
            data-testid="camera-form-id"
            value={form.id}
            placeholder={t("camera.idPlaceholder")}
            title={t("camera.idHint")}
            onChange={(e) => set("id", e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">{t("camera.name")}</span>
          <input data-testid="camera-form-name" value={form.name} onChange={(e) => set("name", e.target.value)} />
        </label>
        <label className="field field-wide">
          <span className="field-label">{t("camera.url")}</span>
          <input
            data-testid="camera-form-url"
            value={form.url}
            placeholder={t("camera.urlHint")}
            title={t("camera.urlHint")}
            onChange={(e) => set("url", e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">{t("camera.unit")}</span>
          <UnitSelect
            testId="camera-form-unit"
            value={form.unit_id}
            options={units}
            onChange={(v) => set("unit_id", v)}
          />
        </label>
        <label className="field field-narrow">
          <span className="field-label">{t("camera.fps")}</span>
          <input
            data-testid="camera-form-fps"
            type="number"
            min="0.1"
            step="0.1"
            value={form.analysis_fps}
            onChange={(e) => set("analysis_fps", e.target.value)}
          />
        </label>
        <label className="field field-check">
          <input
            data-testid="camera-form-loop"
            type="checkbox"
            checked={form.loop}
            onChange={(e) => set("loop", e.target.checked)}
          />
          <span>{t("camera.loop")}</span>
        </label>
      </div>
      <ErrorText lines={error} testId="camera-form-error" />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="camera-form-submit" disabled={busy}>
          {busy ? t("camera.saving") : t("camera.add")}
        </button>
      </div>
    </form>
  );
}
