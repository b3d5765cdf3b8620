"""`cityeye analyze` on the shared mall-entrance clip (line counts against a manual count) and
`cityeye count` on ShanghaiTech/Mall images."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from events.model import Event
from vision import analyze_cli, count_cli

pytestmark = pytest.mark.media

# The entrance line: across the hall in front of the revolving door, at 70 % of the frame's
# height, from x = 15 % to 85 %. Walking from the door towards the camera (down the picture)
# crosses it from the left of a->b to its right: "in" (进, into the mall).
#
# Manual count (done once, by eye, on full frames every 15 frames and on the line band every
# 6 frames of mall_entrance_zayed.mp4, 447 frames): a person counts when their feet go from one
# side of the line to the other inside the segment.
#   in  (11): the woman in black with a white bag (frames 0–30, she starts on the line); the
#             woman pushing the stroller (slowly, ~45–60); the older blonde woman in a black
#             coat beside her (~105–135); the man in a brown leather jacket with a yellow bag
#             (~90–120); four of the group leaving the door together (~285–360); the man in a
#             grey-green jacket (~310–330); the man in a black coat (~390–405); the woman in a
#             white coat with a black bag (~390–405).
#   out (5):  the woman in the long beige coat and the woman in the tan jacket (0–30, their feet
#             hidden behind the women in front at first); the blonde woman and the woman in a
#             white hat, both with backpacks (~120–135); the woman in a white jacket walking
#             diagonally up to the door (~195–225).
# Not counted: the two women standing on the right, people beside the pillar on the left
# (outside the segment), people at the door who never reach the line, people entering from the
# bottom edge at the very end.
MANUAL_IN, MANUAL_OUT = 11, 5

SITE = """\
units:
  - {id: district, name: 测试区}
cameras:
  - id: mall
    name: 商场入口
    url: {clip}
    unit: district
    analysis_fps: 10
    lines:
      - {id: entrance, name: 入口, a: [0.15, 0.7], b: [0.85, 0.7], in_name: 进, out_name: 出}
"""


def test_analyze_counts_the_mall_entrance_like_a_person_does(
    ultralytics_env: Path,
    models_dir: Path,
    media_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clip = media_dir / "videos" / "mall_entrance_zayed.mp4"
    site = tmp_path / "cityeye.yaml"
    site.write_text(SITE.replace("{clip}", str(clip)), encoding="utf-8")
    out = tmp_path / "events.jsonl"
    code = analyze_cli.main(
        [
            str(clip),
            "--config",
            str(site),
            "--camera",
            "mall",
            "--out",
            str(out),
            "--models-dir",
            str(models_dir),
            "--no-density",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert re.search(r"^frames: 447 decoded, 1[45]\d analysed", printed, re.M), printed
    assert re.search(r"^analysed fps: \d+\.\d", printed, re.M)
    assert re.search(r"^tracks: person \d+$", printed, re.M)
    m = re.search(r"^line entrance: in \(进\) (\d+) .* out \(出\) (\d+)", printed, re.M)
    assert m, printed
    n_in, n_out = int(m[1]), int(m[2])
    assert abs(n_in - MANUAL_IN) <= 0.2 * MANUAL_IN, printed
    assert abs(n_out - MANUAL_OUT) <= 0.2 * MANUAL_OUT, printed
    assert re.search(r"^events: overcrowding \d+, intrusion \d+, line_crossing", printed, re.M)
    for line in out.read_text(encoding="utf-8").splitlines():
        Event.model_validate_json(line)


def test_analyze_refuses_an_unknown_camera(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "cityeye.yaml"
    site.write_text(SITE.replace("{clip}", "x.mp4"), encoding="utf-8")
    assert analyze_cli.main(["x.mp4", "--config", str(site), "--camera", "nope"]) == 2
    assert "no camera 'nope'" in capsys.readouterr().err


def test_count_prints_each_image_then_the_errors(
    ultralytics_env: Path,
    models_dir: Path,
    media_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    crowd = media_dir / "crowd"
    rows = (crowd / "counts-Mall.csv").read_text(encoding="utf-8").splitlines()[:3]
    csv = tmp_path / "counts.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code = count_cli.main(
        [
            "--images",
            str(crowd),
            "--counts",
            str(csv),
            "--method",
            "hybrid",
            "--models-dir",
            str(models_dir),
        ]
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    lines = [ln for ln in lines if "\tpred=" in ln] + lines[-1:]  # (Ultralytics may log first)
    assert len(lines) == 3
    preds = [re.match(r"^(\S+)\tpred=([\d.]+)\tgt=(\d+)\terr=", ln) for ln in lines[:2]]
    assert all(preds)
    last = re.fullmatch(r"MAE=([\d.]+) MSE=([\d.]+) N=2", lines[-1])
    assert last, lines[-1]
    errs = [abs(float(p[2]) - float(p[3])) for p in preds if p]
    assert float(last[1]) == pytest.approx(sum(errs) / 2, abs=0.06)


def test_count_reports_a_bad_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "counts.csv"
    csv.write_text("image,count\nmissing.jpg,3\n", encoding="utf-8")
    assert count_cli.main(["--images", str(tmp_path), "--counts", str(csv)]) == 2
    assert "missing.jpg not found" in capsys.readouterr().err
