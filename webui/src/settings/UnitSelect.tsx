import { useTranslation } from "react-i18next";
import type { UnitOption } from "./cameraForm";

interface Props {
  value: string;
  options: UnitOption[];
  onChange: (value: string) => void;
  testId: string;
  /** Shown when the current value is not among the options (e.g. units failed to load). */
  fallbackName?: string;
}

export function UnitSelect({ value, options, onChange, testId, fallbackName }: Props) {
  const { t } = useTranslation();
  const known = options.some((o) => o.id === value);
  return (
    <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
      {!value && <option value="">{t("camera.selectUnit")}</option>}
      {value && !known && <option value={value}>{fallbackName ?? value}</option>}
      {options.map((o) => (
        <option key={o.id} value={o.id}>
          {"\u3000".repeat(o.depth)}
          {o.name}
        </option>
      ))}
    </select>
  );
}
