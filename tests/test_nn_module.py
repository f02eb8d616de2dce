"""nn.Module, Parameter, containers, Linear/Bilinear, nn.init."""
import copy
import math

import numpy as np
import pytest
import torch

import rustorch
from rustorch import nn
from conftest import assert_same, check_module


def build(lib):
    """The same small model in either library."""
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(4, 4)
            self.scale = lib.nn.Parameter(lib.ones(4))
            self.register_buffer("count", lib.zeros(1))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)

        def forward(self, x):
            return self.fc(x) * self.scale

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = lib.nn.ModuleList([Block(), Block()])
            self.head = lib.nn.Sequential(lib.nn.Linear(4, 2), lib.nn.Identity())
            self.extra = lib.nn.ParameterDict({"a": lib.nn.Parameter(lib.zeros(2))})

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head(x) + self.extra["a"]

    return Net()


def test_registration_and_state_dict_keys_match_torch():
    ours, theirs = build(rustorch), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert all(tuple(a.shape) == tuple(b.shape) for a, b in zip(ours.state_dict().values(), theirs.state_dict().values()))


def test_torch_state_dict_loads_and_reproduces_outputs():
    ours, theirs = build(rustorch), build(torch)
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    assert_same(ours(rustorch.tensor(x)), theirs(torch.tensor(x)).detach(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_reports_missing_unexpected_and_size_mismatch():
    m = build(rustorch)
    sd = m.state_dict()
    del sd["head.0.bias"]
    sd["bogus"] = rustorch.zeros(1)
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "head.0.bias".*\n.*Unexpected key\(s\) in state_dict: "bogus"'):
        m.load_state_dict(sd)
    result = m.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["head.0.bias"] and result.unexpected_keys == ["bogus"]
    sd = build(rustorch).state_dict()
    sd["head.0.weight"] = rustorch.zeros(5, 5)
    with pytest.raises(RuntimeError, match="size mismatch for head.0.weight"):
        m.load_state_dict(sd)


def test_shared_and_frozen_parameters():
    shared = nn.Linear(2, 2)
    net = nn.Sequential(shared, nn.ReLU() if hasattr(nn, "ReLU") else nn.Identity(), shared)
    assert len(list(net.parameters())) == 2
    assert list(dict(net.named_parameters())) == ["0.weight", "0.bias"]
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    shared.weight.requires_grad_(True)
    out = net(rustorch.ones(1, 2)).sum()
    out.backward()
    assert shared.weight.grad is not None and shared.bias.grad is None


def test_train_eval_propagate():
    m = build(rustorch)
    m.eval()
    assert not any(module.training for module in m.modules())
    m.train()
    assert all(module.training for module in m.modules())


def test_to_dtype_keeps_parameter_identity_and_grads():
    m = nn.Linear(3, 2)
    w = m.weight
    m(rustorch.ones(1, 3)).sum().backward()
    m.double()
    assert m.weight is w and w.dtype is rustorch.float64 and w.grad.dtype is rustorch.float64
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    m.to(rustorch.float32)
    assert m.weight.dtype is rustorch.float32
    with pytest.raises(TypeError, match="floating point"):
        m.to(rustorch.int64)


def test_zero_grad_and_apply_and_get_submodule():
    m = build(rustorch)
    m(rustorch.ones(2, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    names = []
    m.apply(lambda mod: names.append(type(mod).__name__))
    assert names[-1] == "Net" and names.count("Linear") == 3
    assert m.get_submodule("blocks.1.fc") is m.blocks[1].fc
    assert m.get_parameter("blocks.0.scale") is m.blocks[0].scale
    with pytest.raises(AttributeError):
        m.get_submodule("blocks.7")


def test_attribute_rules():
    m = nn.Module()
    m.p = nn.Parameter(rustorch.zeros(1))
    with pytest.raises(TypeError, match="cannot assign"):
        m.p = rustorch.zeros(1)  # a plain tensor can't replace a parameter
    m.p = None
    assert "p" in m._parameters and m.p is None
    m.sub = nn.Linear(1, 1)
    del m.sub
    assert "sub" not in m._modules
    with pytest.raises(KeyError):
        m.register_buffer("a.b", rustorch.zeros(1))
    with pytest.raises(AttributeError):
        m.missing
    m.buf = nn.Buffer(rustorch.ones(1), persistent=False)
    assert "buf" in dict(m.named_buffers()) and "buf" not in m.state_dict()


def test_forward_hooks():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    out = m(rustorch.ones(1, 2))
    assert calls == [rustorch.Size([1, 2])]
    assert_same(out, torch.tensor(m.bias.detach().numpy()).view(1, 2) + 1)
    h1.remove()
    h2.remove()
    assert m(rustorch.zeros(1, 2)).tolist() == [m.bias.tolist()]


def test_full_backward_hooks_match_torch():
    records = {}
    for lib in (rustorch, torch):
        lin = lib.nn.Linear(3, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
            lin.bias.zero_()
        seen = []
        lin.register_full_backward_pre_hook(lambda mod, grad_out: seen.append(("pre", grad_out[0].tolist())))
        lin.register_full_backward_hook(lambda mod, grad_in, grad_out: (grad_in[0] * 2,))
        x = lib.ones(1, 3, requires_grad=True)
        lin(x).sum().backward()
        records[lib.__name__] = (seen, x.grad.tolist())
    assert records["rustorch"] == records["torch"]


def test_repr_matches_torch():
    assert repr(build(rustorch)).replace("rustorch", "torch") == repr(build(torch))
    assert repr(nn.Bilinear(2, 3, 4)) == repr(torch.nn.Bilinear(2, 3, 4))


def test_containers():
    seq = nn.Sequential(nn.Linear(1, 2), nn.Linear(2, 3), nn.Linear(3, 4))
    assert isinstance(seq[1:], nn.Sequential) and len(seq[1:]) == 2 and seq[-1].out_features == 4
    seq.append(nn.Identity())
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2"]
    assert seq(rustorch.ones(1, 2)).shape == (1, 4)
    ml = nn.ModuleList([nn.Identity()])
    ml += [nn.Linear(1, 1)]
    ml.insert(0, nn.Linear(2, 2))
    assert [type(m).__name__ for m in ml] == ["Linear", "Identity", "Linear"]
    md = nn.ModuleDict({"a": nn.Identity()})
    md["b"] = nn.Linear(1, 1)
    assert list(md.keys()) == ["a", "b"] and "b.weight" in md.state_dict()
    pl = nn.ParameterList([rustorch.zeros(2), nn.Parameter(rustorch.ones(1))])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(list(pl.parameters())) == 2
    assert list(pl.state_dict()) == list(torch.nn.ParameterList([torch.zeros(2), torch.ones(1)]).state_dict())


def test_deepcopy_gives_independent_parameters():
    m = nn.Linear(2, 2)
    c = copy.deepcopy(m)
    with rustorch.no_grad():
        c.weight.add_(1)
    assert not rustorch.equal(c.weight, m.weight) and isinstance(c.weight, nn.Parameter)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_and_bilinear_against_torch(bias, device):
    rng = np.random.default_rng(1)
    check_module(nn.Linear(5, 3, bias=bias), torch.nn.Linear(5, 3, bias=bias),
                 rng.standard_normal((2, 4, 5)).astype(np.float32), device=device)
    check_module(nn.Linear(5, 3, bias=bias), torch.nn.Linear(5, 3, bias=bias),
                 rng.standard_normal((5,)).astype(np.float32), device=device)
    check_module(nn.Bilinear(3, 4, 2, bias=bias), torch.nn.Bilinear(3, 4, 2, bias=bias),
                 rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal((6, 4)).astype(np.float32),
                 device=device)


def test_linear_bad_input_names_the_shapes():
    with pytest.raises(rustorch.ShapeError, match=r"linear\(\).*\[2, 4\].*expects 5"):
        nn.Linear(5, 3)(rustorch.ones(2, 4))


def test_lazy_linear():
    m = nn.LazyLinear(3)
    assert m(rustorch.ones(2, 7)).shape == (2, 3) and m.weight.shape == (3, 7)


# init ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,param", [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain(name, param):
    assert nn.init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))


def test_init_distributions():
    rustorch.manual_seed(0)
    w = rustorch.empty(400, 300)
    fan_in, fan_out = 300, 400
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    bound = math.sqrt(6 / ((1 + 5) * fan_in))
    assert float(w.abs().max()) <= bound and float(w.abs().max()) > 0.99 * bound
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert float(w.std()) == pytest.approx(math.sqrt(2 / fan_out), rel=0.02)
    nn.init.xavier_normal_(w, gain=2.0)
    assert float(w.std()) == pytest.approx(2 * math.sqrt(2 / (fan_in + fan_out)), rel=0.02)
    nn.init.xavier_uniform_(w)
    assert float(w.abs().max()) <= math.sqrt(6 / (fan_in + fan_out))
    nn.init.trunc_normal_(w, mean=1.0, std=2.0, a=0.0, b=3.0)
    assert float(w.min()) >= 0 and float(w.max()) <= 3
    nn.init.normal_(w, 3.0, 0.5)
    assert float(w.mean()) == pytest.approx(3.0, abs=0.01)
    nn.init.constant_(w, 0.25)
    assert float(w.sum()) == 0.25 * w.numel()
    q = nn.init.orthogonal_(rustorch.empty(6, 4), gain=2.0)
    assert_same(q.T @ q, torch.eye(4) * 4, rtol=1e-5, atol=1e-5)
    d = nn.init.dirac_(rustorch.empty(4, 2, 3, 3), groups=2)
    assert_same(d, torch.nn.init.dirac_(torch.empty(4, 2, 3, 3), groups=2))
    assert_same(nn.init.eye_(rustorch.empty(2, 4)), torch.nn.init.eye_(torch.empty(2, 4)))


def test_init_does_not_record_and_checks_shapes():
    w = nn.Parameter(rustorch.empty(3, 3))
    nn.init.uniform_(w)
    assert w.is_leaf and w.grad_fn is None
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(rustorch.empty(3))
    with pytest.raises(RuntimeError, match="2 dimensions"):
        nn.init.eye_(rustorch.empty(3))
