"""`cityeye train-density` flags and the model card: a run continued with --init lists the
earlier runs' commands first, so the shipped weights can be reproduced stage by stage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from models.crowdnet import crowdnet_skeleton, load_weights, save_weights
from models.density_card import reproduce_command, write_card
from models.density_data import CrowdSample, Dataset
from models.density_train import (
    EvalResult,
    TrainConfig,
    WeightAverage,
    blend,
    build_parser,
)
from models.protocols import ModelLoadError


def test_crops_per_image_and_init_flags_parse() -> None:
    args = build_parser().parse_args(
        ["--data", "d", "--crops-per-image", "A=2,B=2,Mall=0.5", "--init", "s1.pt"]
    )
    assert args.crops_per_image == {"A": 2.0, "B": 2.0, "Mall": 0.5}
    assert args.init == Path("s1.pt")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--data", "d", "--crops-per-image", "C=1"])


def test_card_lists_the_earlier_stage_commands_in_order(tmp_path: Path) -> None:
    stage1 = TrainConfig(data="train", epochs=16)
    final = TrainConfig(
        data="train", epochs=4, lr=4e-5, init="stage1.pt",
        crops_per_image={"A": 2.0, "B": 2.0, "Mall": 0.5},
    )
    pts = np.zeros((3, 2), dtype=np.float32)
    sample = CrowdSample("B", tmp_path / "IMG_1.jpg", pts, np.ones(3, np.float32))
    val: dict[Dataset, list[CrowdSample]] = {"B": [sample]}
    res = EvalResult({"B": 1.5}, {"B": 2.0}, 0.2)
    stages = [(stage1, Path("stage1.pt"))]
    card = write_card(tmp_path / "w.pt", final, 1, res, val, 60.0, stages=stages)
    lines = [ln for ln in card.read_text(encoding="utf-8").splitlines()
             if ln.startswith("cityeye train-density")]
    assert len(lines) == 2
    assert "--out stage1.pt --epochs 16" in lines[0]
    assert "--init" not in lines[0]
    assert "--epochs 4" in lines[1]
    assert lines[1].endswith("--init stage1.pt")
    assert "--crops-per-image A=2,B=2,Mall=0.5" in lines[1]
    # every flag the command uses is one the CLI accepts
    args = build_parser().parse_args(lines[1].split()[2:])
    assert (args.epochs, args.lr, args.init) == (4, 4e-5, Path("stage1.pt"))


def test_a_blend_is_the_weighted_average_and_its_flag_round_trips(tmp_path: Path) -> None:
    torch.manual_seed(0)
    first, second = crowdnet_skeleton(), crowdnet_skeleton()
    mixed = blend(first, second, 0.7)
    a, b, m = first.state_dict(), second.state_dict(), mixed.state_dict()
    key = next(k for k, v in b.items() if v.is_floating_point() and v.numel() > 1)
    assert not torch.equal(a[key], b[key])
    assert torch.allclose(m[key], 0.3 * a[key] + 0.7 * b[key])
    assert torch.equal(blend(first, second, 1.0).state_dict()[key], b[key])
    assert mixed is not second
    cfg = TrainConfig(data="train", init="stage4.pt", average_with_init=True)
    command = reproduce_command(cfg, tmp_path / "w.pt")
    assert command.endswith("--init stage4.pt --average-with-init")
    assert build_parser().parse_args(command.split()[2:]).average_with_init


def test_weight_average_is_the_mean_of_the_added_networks(tmp_path: Path) -> None:
    """--swa-from: the running mean of three networks' weights equals their plain mean, and
    the option round-trips through the card's reproduce command."""
    torch.manual_seed(1)
    nets = [crowdnet_skeleton() for _ in range(3)]
    avg = WeightAverage()
    for net in nets:
        avg.add(net)
    mean = avg.model(nets[0]).state_dict()
    states = [n.state_dict() for n in nets]
    key = next(k for k, v in states[0].items() if v.is_floating_point() and v.numel() > 1)
    assert not torch.equal(states[0][key], states[1][key])
    assert torch.allclose(mean[key], sum(s[key] for s in states) / 3, atol=1e-6)
    assert avg.count == 3
    cfg = TrainConfig(data="train", init="stage7.pt", swa_from=7)
    command = reproduce_command(cfg, tmp_path / "w.pt")
    assert build_parser().parse_args(command.split()[2:]).swa_from == 7


def test_a_format_1_checkpoint_loads_as_the_same_function(tmp_path: Path) -> None:
    """Format 1 had no stride-4 detail branch: it loads with that branch at zero, so the
    network computes what it computed before; format 2 saves and loads the branch."""
    torch.manual_seed(0)
    net = crowdnet_skeleton().eval()
    x = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        for param in net.head.detail.parameters():
            param.zero_()
        want = net(x)
    old = {k: v.half() for k, v in net.state_dict().items() if not k.startswith("head.detail")}
    path = tmp_path / "old.pt"
    torch.save({"format": "cityeye-density/1", "state_dict": old, "meta": {}}, path)
    loaded, _ = load_weights(path)
    assert all(float(p.detach().abs().sum()) == 0.0 for p in loaded.head.detail.parameters())
    with torch.no_grad():
        assert torch.allclose(loaded(x), want, atol=0.05, rtol=0.01)  # fp16 storage

    with torch.no_grad():
        for param in net.head.detail.parameters():
            param.fill_(0.01)
    save_weights(net, tmp_path / "new.pt", {})
    again, _ = load_weights(tmp_path / "new.pt")
    detail = again.head.detail.weight
    assert torch.allclose(detail, torch.full_like(detail, 0.01), atol=1e-4)
    torch.save({"format": "cityeye-density/9", "state_dict": old}, tmp_path / "x.pt")
    with pytest.raises(ModelLoadError, match="not a CityEye density checkpoint"):
        load_weights(tmp_path / "x.pt")


def test_the_photometric_flag_is_in_the_command_only_when_on(tmp_path: Path) -> None:
    assert "--photometric" not in reproduce_command(TrainConfig(data="d"), Path("w.pt"))
    line = reproduce_command(TrainConfig(data="d", photometric=0.5), Path("w.pt"))
    assert line.endswith("--photometric 0.5")
    assert build_parser().parse_args(line.split()[2:]).photometric == 0.5
