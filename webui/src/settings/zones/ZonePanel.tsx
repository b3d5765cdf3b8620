import type { Dispatch, ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { CameraRules } from "../../types";
import type { Action, LineDraft, ZoneDraft } from "./editorState";
import { otherRuleCount, tierOfSlot, type Direction, type TierDraft, type TierRuleKind } from "./rules";

interface TierProps {
  kind: TierRuleKind;
  draft: TierDraft;
  readOnly: boolean;
  testId: string;
  onChange: (changes: Partial<TierDraft>) => void;
  children?: ReactNode;
}

/** One rule: an on/off switch and a threshold per tier, each marked with its colour. */
function TierRule({ kind, draft, readOnly, testId, onChange, children }: TierProps) {
  const { t } = useTranslation();
  return (
    <fieldset className="ze-rule" data-testid={testId} data-enabled={draft.enabled}>
      <legend>
        <label className="ze-check">
          <input
            type="checkbox"
            checked={draft.enabled}
            disabled={readOnly}
            data-testid={`${testId}-enabled`}
            onChange={(e) => onChange({ enabled: e.target.checked })}
          />
          {t(`zoneEditor.rule.${kind}`)}
        </label>
      </legend>
      <p className="ze-hint">{t(`zoneEditor.rule.${kind}Hint`)}</p>
      {children}
      <div className="ze-tiers">
        {draft.values.map((value, i) => {
          const tier = tierOfSlot(kind, draft, i);
          const tierName = t(`zoneEditor.rule.tier${tier}`);
          return (
            <label key={i} className="ze-tier" title={t("zoneEditor.rule.tierTitle", { tier: tierName })}>
              <span className={`ze-tier-chip tier-${tier}`}>{tierName}</span>
              <input
                inputMode="decimal"
                value={value}
                disabled={readOnly || !draft.enabled}
                aria-label={t("zoneEditor.rule.tierTitle", { tier: tierName })}
                data-testid={`${testId}-t${i + 1}`}
                onChange={(e) => onChange({ values: draft.values.map((v, j) => (j === i ? e.target.value : v)) })}
              />
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

interface ZoneCardProps {
  zone: ZoneDraft;
  rules: CameraRules;
  selected: boolean;
  invalid: boolean;
  readOnly: boolean;
  dispatch: Dispatch<Action>;
}

export function ZoneCard({ zone, rules, selected, invalid, readOnly, dispatch }: ZoneCardProps) {
  const { t } = useTranslation();
  const others = otherRuleCount(rules, "zone", zone.originalId, [zone.overcrowding, zone.loitering]);
  const update = (changes: Partial<Pick<ZoneDraft, "id" | "name" | "restricted">>): void =>
    dispatch({ type: "updateZone", key: zone.key, changes });
  const remove = (): void => {
    if (window.confirm(t("zoneEditor.confirmDeleteZone", { name: zone.name }))) dispatch({ type: "deleteZone", key: zone.key });
  };
  return (
    <article
      className={`ze-card${selected ? " selected" : ""}${invalid ? " invalid" : ""}${zone.restricted ? " restricted" : ""}`}
      data-testid="zone-card"
      data-zone-id={zone.id}
      onFocus={() => !selected && dispatch({ type: "select", selection: { kind: "zone", key: zone.key } })}
      onClick={() => !selected && dispatch({ type: "select", selection: { kind: "zone", key: zone.key } })}
    >
      <header className="ze-card-head">
        <span className="ze-swatch" />
        <strong>{zone.name || zone.id}</strong>
        <span className="ze-meta">{t("zoneEditor.points", { count: zone.polygon.length })}</span>
        {!readOnly && (
          <button type="button" className="btn btn-danger btn-sm" data-testid="zone-delete" onClick={remove}>
            {t("zoneEditor.delete")}
          </button>
        )}
      </header>
      <div className="ze-fields">
        <label className="field">
          <span className="field-label">{t("zoneEditor.field.name")}</span>
          <input value={zone.name} disabled={readOnly} data-testid="zone-name" maxLength={64} onChange={(e) => update({ name: e.target.value })} />
        </label>
        <label className="field">
          <span className="field-label">{t("zoneEditor.field.id")}</span>
          <input className="mono" value={zone.id} disabled={readOnly} data-testid="zone-id" maxLength={64} title={t("zoneEditor.field.idHint")} onChange={(e) => update({ id: e.target.value })} />
        </label>
      </div>
      <label className="ze-check ze-restricted">
        <input type="checkbox" checked={zone.restricted} disabled={readOnly} data-testid="zone-restricted" onChange={(e) => update({ restricted: e.target.checked })} />
        {t("zoneEditor.field.restricted")}
        <span className="ze-hint">{t("zoneEditor.field.restrictedHint")}</span>
      </label>
      {selected && (
        <>
          <TierRule kind="overcrowding" draft={zone.overcrowding} readOnly={readOnly} testId="rule-overcrowding" onChange={(changes) => dispatch({ type: "setZoneRule", key: zone.key, rule: "overcrowding", changes })} />
          <TierRule kind="loitering" draft={zone.loitering} readOnly={readOnly} testId="rule-loitering" onChange={(changes) => dispatch({ type: "setZoneRule", key: zone.key, rule: "loitering", changes })} />
        </>
      )}
      {others > 0 && <p className="ze-hint">{t("zoneEditor.otherRules", { count: others })}</p>}
    </article>
  );
}

interface LineCardProps {
  line: LineDraft;
  rules: CameraRules;
  selected: boolean;
  invalid: boolean;
  readOnly: boolean;
  dispatch: Dispatch<Action>;
}

export function LineCard({ line, rules, selected, invalid, readOnly, dispatch }: LineCardProps) {
  const { t } = useTranslation();
  const others = otherRuleCount(rules, "line", line.originalId, [line.surge]);
  const update = (changes: Partial<Pick<LineDraft, "id" | "name" | "in_name" | "out_name">>): void =>
    dispatch({ type: "updateLine", key: line.key, changes });
  const remove = (): void => {
    if (window.confirm(t("zoneEditor.confirmDeleteLine", { name: line.name }))) dispatch({ type: "deleteLine", key: line.key });
  };
  const directions: { value: Direction; label: string }[] = [
    { value: "both", label: t("zoneEditor.rule.both") },
    { value: "in", label: line.in_name || "in" },
    { value: "out", label: line.out_name || "out" },
  ];
  return (
    <article
      className={`ze-card ze-card-line${selected ? " selected" : ""}${invalid ? " invalid" : ""}`}
      data-testid="line-card"
      data-line-id={line.id}
      onFocus={() => !selected && dispatch({ type: "select", selection: { kind: "line", key: line.key } })}
      onClick={() => !selected && dispatch({ type: "select", selection: { kind: "line", key: line.key } })}
    >
      <header className="ze-card-head">
        <span className="ze-swatch" />
        <strong>{line.name || line.id}</strong>
        {!readOnly && (
          <button type="button" className="btn btn-danger btn-sm" data-testid="line-delete" onClick={remove}>
            {t("zoneEditor.delete")}
          </button>
        )}
      </header>
      <div className="ze-fields">
        <label className="field">
          <span className="field-label">{t("zoneEditor.field.name")}</span>
          <input value={line.name} disabled={readOnly} data-testid="line-name" maxLength={64} onChange={(e) => update({ name: e.target.value })} />
        </label>
        <label className="field">
          <span className="field-label">{t("zoneEditor.field.id")}</span>
          <input className="mono" value={line.id} disabled={readOnly} data-testid="line-id" maxLength={64} title={t("zoneEditor.field.idHint")} onChange={(e) => update({ id: e.target.value })} />
        </label>
        <label className="field">
          <span className="field-label ze-dir-label in">{t("zoneEditor.field.inName")}</span>
          <input value={line.in_name} disabled={readOnly} data-testid="line-in-name" maxLength={32} onChange={(e) => update({ in_name: e.target.value })} />
        </label>
        <label className="field">
          <span className="field-label ze-dir-label out">{t("zoneEditor.field.outName")}</span>
          <input value={line.out_name} disabled={readOnly} data-testid="line-out-name" maxLength={32} onChange={(e) => update({ out_name: e.target.value })} />
        </label>
      </div>
      <div className="ze-direction">
        <p className="ze-hint" data-testid="line-direction-help">
          {t("zoneEditor.directionHelp", { in: line.in_name, out: line.out_name })}
        </p>
        {!readOnly && (
          <button type="button" className="btn btn-sm" data-testid="line-swap" title={t("zoneEditor.swapTitle")} onClick={() => dispatch({ type: "swapLine", key: line.key })}>
            ⇅ {t("zoneEditor.swap")}
          </button>
        )}
      </div>
      {selected && (
        <TierRule kind="line_crossing" draft={line.surge} readOnly={readOnly} testId="rule-surge" onChange={(changes) => dispatch({ type: "setLineRule", key: line.key, changes })}>
          <label className="ze-inline">
            {t("zoneEditor.rule.direction")}
            <select
              value={line.surge.direction}
              disabled={readOnly || !line.surge.enabled}
              data-testid="rule-surge-direction"
              onChange={(e) => dispatch({ type: "setLineRule", key: line.key, changes: { direction: e.target.value as Direction } })}
            >
              {directions.map((d) => (
                <option key={d.value} value={d.value}>
                  {d.label}
                </option>
              ))}
            </select>
          </label>
        </TierRule>
      )}
      {others > 0 && <p className="ze-hint">{t("zoneEditor.otherRules", { count: others })}</p>}
    </article>
  );
}
