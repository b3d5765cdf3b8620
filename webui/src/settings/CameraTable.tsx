import { useTranslation } from "react-i18next";
import type { Camera } from "../types";
import type { UnitOption } from "./cameraForm";
import { CameraRow } from "./CameraRow";

interface Props {
  cameras: Camera[];
  units: UnitOption[];
  canEdit: boolean;
  onChanged: (message: string) => void;
}

const HEADINGS = ["id", "name", "url", "unit", "fps", "loopShort", "enabled", "status"] as const;

export function CameraTable({ cameras, units, canEdit, onChanged }: Props) {
  const { t } = useTranslation();
  const columns = HEADINGS.length + (canEdit ? 1 : 0);
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="camera-table">
        <thead>
          <tr>
            {HEADINGS.map((h) => (
              <th key={h}>{t(`camera.${h}`)}</th>
            ))}
            {canEdit && <th>{t("camera.actions")}</th>}
          </tr>
        </thead>
        <tbody>
          {cameras.length === 0 && (
            <tr>
              <td colSpan={columns} className="muted">
                {t("camera.empty")}
              </td>
            </tr>
          )}
          {cameras.map((camera) => (
            <CameraRow
              key={camera.id}
              camera={camera}
              units={units}
              canEdit={canEdit}
              columns={columns}
              onChanged={onChanged}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
