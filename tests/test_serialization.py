"""rustorch.save / rustorch.load against torch.save / torch.load (weights_only=True) in both directions."""
import collections
import fractions
import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
import torch

import rustorch
from rustorch.errors import BackendUnavailableError, SerializationError, UnpicklingError
from conftest import DTYPE_PAIRS, assert_same


def rt_to_torch(obj, **load_kwargs):
    buf = io.BytesIO()
    rustorch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True, **load_kwargs)


def torch_to_rt(obj, **load_kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return rustorch.load(buf, **load_kwargs)


def torch_bytes(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def rewrite(data, edit):
    """A copy of the zip archive ``data`` with ``edit(name, bytes)`` applied to each record (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            record = edit(name, src.read(name))
            if record is not None:
                dst.writestr(name, record)
    return out.getvalue()


def sample(dtype, shape, seed=0):
    """Random values of ``dtype``: negative, fractional and complex where the dtype holds them."""
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape) * 20 + (1j * rng.standard_normal(shape) if dtype.is_complex else 0)
    if dtype is rustorch.bool:
        values = values > 0
    elif dtype is rustorch.uint8:
        values = np.abs(values)
    return rustorch.tensor(values, dtype=dtype)


# tensors of every dtype, both directions -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", list(DTYPE_PAIRS), ids=lambda d: d.name)
def test_every_dtype_round_trips(dtype):
    x = sample(dtype, (3, 4))
    got = rt_to_torch(x)
    assert isinstance(got, torch.Tensor) and got.dtype == DTYPE_PAIRS[dtype]
    assert_same(x, got, rtol=0, atol=0)
    back = torch_to_rt(got)
    assert isinstance(back, rustorch.Tensor)
    assert_same(back, got, rtol=0, atol=0)


@pytest.mark.parametrize("make", [
    lambda x: x[0, 0].clone(),  # 0-d
    lambda x: x[:0],  # empty
    lambda x: x[1:, 2:],  # a view with an offset
    lambda x: x.t(),  # non-contiguous
    lambda x: x[:, ::2],  # strided with an offset of 0
    lambda x: x[1:, 1::2].t(),  # offset and permuted strides
    lambda x: x[2].expand(3, 5),  # stride 0
    lambda x: x[:0].clone(),  # an empty storage
], ids=["0d", "empty", "offset", "transposed", "strided", "offset-transposed", "expanded", "empty-storage"])
def test_layouts_preserved(make):
    x = rustorch.arange(20.0).view(4, 5)
    v = make(x)
    got = rt_to_torch(v)
    assert got.shape == tuple(v.shape) and got.stride() == v.stride() and got.storage_offset() == v.storage_offset()
    assert_same(v, got)
    back = torch_to_rt(got)
    assert back.stride() == got.stride() and back.storage_offset() == got.storage_offset()
    assert_same(back, got)


def test_shared_storage_preserved_rustorch_to_torch():
    x = rustorch.arange(12.0).view(3, 4)
    buf = io.BytesIO()
    rustorch.save({"x": x, "row": x[1], "col": x[:, 2], "again": x}, buf)
    records = [n for n in zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist() if "/data/" in n]
    assert records == ["archive/data/0"]  # the storage is written once
    buf.seek(0)
    d = torch.load(buf, weights_only=True)
    assert d["again"] is d["x"]
    assert d["row"].untyped_storage().data_ptr() == d["x"].untyped_storage().data_ptr()
    d["x"][1, 2] = -1.0
    assert d["row"][2] == -1.0 and d["col"][1] == -1.0


def test_shared_storage_preserved_torch_to_rustorch():
    x = torch.arange(12.0).view(3, 4)
    d = torch_to_rt({"x": x, "row": x[1], "col": x[:, 2], "again": x, "other": torch.zeros(2)})
    assert d["again"] is d["x"]
    assert d["row"]._storage is d["x"]._storage and d["col"]._storage is d["x"]._storage
    assert d["other"]._storage is not d["x"]._storage
    assert d["row"].storage_offset() == 4 and d["col"].stride() == (4,)
    d["x"][1, 2] = -1.0
    assert d["row"][2].item() == -1.0 and d["col"][1].item() == -1.0


def test_archive_layout_matches_torch():
    buf = io.BytesIO()
    x = rustorch.ones(3)
    rustorch.save({"a": x, "b": rustorch.zeros(2, dtype=rustorch.int64), "c": x}, buf)
    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == ["archive/data.pkl", "archive/.format_version", "archive/.storage_alignment",
                                "archive/byteorder", "archive/data/0", "archive/data/1", "archive/version",
                                "archive/.data/serialization_id"]
        assert z.read("archive/.format_version") == b"1" and z.read("archive/version") == b"3\n"
        assert z.read("archive/byteorder") == b"little" and z.read("archive/.storage_alignment") == b"64"
        assert len(z.read("archive/.data/serialization_id")) == 40
        for info in z.infolist():  # every record's bytes start at a multiple of 64, as torch writes them
            name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
            assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
            assert info.compress_type == zipfile.ZIP_STORED
        # weights_only=True in torch reads only protocol-2 opcodes
        assert z.read("archive/data.pkl")[:2] == b"\x80\x02"


def test_zip64_records_stay_aligned(monkeypatch):
    # a record of 2 GiB or more gets a zip64 field in its local header; write every record so to check the padding
    monkeypatch.setattr(rustorch.serialization, "_ZIP64_FROM", 0)
    buf = io.BytesIO()
    rustorch.save({"a": rustorch.arange(5.0), "b": rustorch.ones(3, dtype=rustorch.int8)}, buf)
    data = buf.getvalue()
    for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
        name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
    assert torch.load(io.BytesIO(data))["a"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


# Parameters, modules, optimizer state ----------------------------------------------------------------------------

@pytest.mark.parametrize("requires_grad", [True, False])
def test_parameters(requires_grad):
    p = rustorch.nn.Parameter(rustorch.arange(4.0), requires_grad=requires_grad)
    got = rt_to_torch({"p": p})["p"]
    assert type(got) is torch.nn.Parameter and got.requires_grad == requires_grad
    assert_same(p.detach(), got.detach())
    back = torch_to_rt({"p": got})["p"]
    assert type(back) is rustorch.nn.Parameter and back.requires_grad == requires_grad
    assert_same(back.detach(), got.detach())


def test_requires_grad_tensor_and_parameter_attributes_from_torch():
    t = torch.ones(2, requires_grad=True)
    p = torch.nn.Parameter(torch.ones(2))
    p.tag = "decoder"  # saved by torch with _rebuild_parameter_with_state
    plain = torch.zeros(2)
    plain.note = 3  # saved by torch with _rebuild_from_type_v2
    d = torch_to_rt({"t": t, "p": p, "plain": plain})
    assert d["t"].requires_grad and d["p"].tag == "decoder" and d["plain"].note == 3


def _modules():
    rt = rustorch.nn.Sequential(rustorch.nn.Linear(4, 8), rustorch.nn.BatchNorm1d(8), rustorch.nn.ReLU(),
                                rustorch.nn.Linear(8, 2))
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    return rt.eval(), tm.eval()


def test_module_state_dict_rustorch_to_torch():
    rt, tm = _modules()
    rt[1].running_mean.fill_(0.5)
    tm.load_state_dict(rt_to_torch(rt.state_dict()))
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    assert_same(rt(rustorch.tensor(x)).detach(), tm(torch.from_numpy(x)).detach(), rtol=1e-5, atol=1e-6)


def test_module_state_dict_torch_to_rustorch():
    rt, tm = _modules()
    tm[1].running_var.fill_(2.0)
    sd = torch_to_rt(tm.state_dict())
    assert isinstance(sd, collections.OrderedDict) and list(sd) == list(tm.state_dict())
    assert sd._metadata == tm.state_dict()._metadata  # nn.Module's version metadata comes along
    assert sd["1.num_batches_tracked"].dtype is rustorch.int64
    rt.load_state_dict(sd)
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    assert_same(rt(rustorch.tensor(x)).detach(), tm(torch.from_numpy(x)).detach(), rtol=1e-5, atol=1e-6)
    # and back: the metadata and the values reach torch again
    again = rt_to_torch(sd)
    assert again._metadata == tm.state_dict()._metadata
    tm.load_state_dict(again)


def test_optimizer_state_dict_both_ways():
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    model(torch.ones(4, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    got = torch_to_rt(sd)
    assert got["param_groups"] == sd["param_groups"]  # ints, floats, tuples, bools, None, lists
    for i, state in sd["state"].items():
        for k, v in state.items():
            assert_same(got["state"][i][k], v)
    # rustorch -> torch: a torch optimizer takes it back
    opt2 = torch.optim.Adam(torch.nn.Linear(3, 2).parameters())
    opt2.load_state_dict(rt_to_torch(got))
    torch.testing.assert_close(opt2.state_dict()["state"][0]["exp_avg"], sd["state"][0]["exp_avg"])
    assert opt2.state_dict()["param_groups"][0]["betas"] == (0.8, 0.9)


def test_nested_containers_and_values():
    x = rustorch.arange(3)
    obj = {"list": [x, [x[1:], (1, 2.5, None)], "s"], "tuple": (True, -7, 2 ** 70, float("inf")),
           "od": collections.OrderedDict(b=1, a=2), "set": {1, 2}, "complex": 1 + 2j, "bytes": b"\x00\xff",
           "dtype": rustorch.float16, "device": rustorch.device("cpu"), "size": rustorch.Size([2, 3]), 3: "int key"}
    got = rt_to_torch(obj)
    assert got["list"][2] == "s" and got["list"][1][1] == (1, 2.5, None)
    assert got["tuple"] == (True, -7, 2 ** 70, float("inf")) and list(got["od"]) == ["b", "a"]
    assert got["set"] == {1, 2} and got["complex"] == 1 + 2j and got["bytes"] == b"\x00\xff" and got[3] == "int key"
    assert got["dtype"] is torch.float16 and got["device"] == torch.device("cpu")
    assert got["size"] == torch.Size([2, 3]) and type(got["size"]) is torch.Size
    back = torch_to_rt(got)
    assert back["dtype"] is rustorch.float16 and back["device"] == rustorch.device("cpu")
    assert type(back["size"]) is rustorch.Size and back["size"] == (2, 3)
    assert back["list"][1][0]._storage is back["list"][0]._storage
    assert {k: v for k, v in back.items() if k not in ("list", "dtype", "device", "size")} == \
           {k: v for k, v in got.items() if k not in ("list", "dtype", "device", "size")}


def test_conj_and_neg_views_from_torch():
    z = torch.tensor([1 + 2j, 3 - 1j])
    d = torch_to_rt({"conj": z.conj(), "neg": torch.tensor([1.0, -2.0])._neg_view()})
    assert_same(d["conj"], z.conj().resolve_conj())
    assert_same(d["neg"], torch.tensor([-1.0, 2.0]))


class _Rebuild:
    """Pickles (with torch.save) as a call of one of torch's tensor rebuild functions on ``args``."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def test_older_and_untyped_rebuilds_from_torch():
    x, y = torch.arange(6.0), torch.arange(6.0)
    typed = torch.storage.TypedStorage(wrap_storage=x.untyped_storage(), dtype=torch.float32, _internal=True)
    obj = {"v1": _Rebuild(torch._utils._rebuild_tensor, typed, 1, (2, 2), (2, 1)),
           "v3": _Rebuild(torch._utils._rebuild_tensor_v3, y.untyped_storage(), 2, (4,), (1,), False,
                          collections.OrderedDict(), torch.float32)}
    expected = torch.load(io.BytesIO(torch_bytes(obj)))
    got = torch_to_rt(obj)
    for k in obj:
        assert_same(got[k].detach(), expected[k].detach())


def test_untyped_storage_records_from_torch():
    # torch writes the dtypes it added since 2.x (uint16, ...) with _rebuild_tensor_v3 and an UntypedStorage
    with pytest.raises(SerializationError, match="torch.uint16"):
        torch_to_rt({"u": torch.ones(2, dtype=torch.uint16)})


# files, paths, options ------------------------------------------------------------------------------------------

def test_paths_and_file_objects(tmp_path):
    x = rustorch.arange(5.0)
    path = tmp_path / "model.pt"
    rustorch.save({"x": x}, path)  # os.PathLike
    assert zipfile.ZipFile(path).namelist()[0] == "model/data.pkl"  # the folder is named after the file, as torch's
    assert_same(rustorch.load(str(path))["x"], torch.load(path, weights_only=True)["x"])
    with open(path, "rb") as f:
        assert rustorch.load(f)["x"].tolist() == x.tolist()
    torch.save({"y": torch.ones(2)}, str(tmp_path / "t.pt"))
    assert rustorch.load(tmp_path / "t.pt")["y"].tolist() == [1.0, 1.0]
    with open(tmp_path / "w.pt", "wb") as f:
        rustorch.save(x, f)
    assert torch.load(tmp_path / "w.pt").tolist() == x.tolist()


def test_mmap(tmp_path):
    x = rustorch.arange(64.0)
    path = tmp_path / "m.pt"
    rustorch.save({"x": x, "v": x[8:]}, path)
    d = rustorch.load(path, mmap=True)
    assert d["x"].tolist() == x.tolist() and d["v"]._storage is d["x"]._storage
    d["x"][0] = 100.0  # copy-on-write: the file keeps its values
    assert rustorch.load(path)["x"][0].item() == 0.0
    with pytest.raises(ValueError, match="file path"):
        rustorch.load(io.BytesIO(path.read_bytes()), mmap=True)
    t = torch.load(path, mmap=True, weights_only=True)  # torch maps our records: they are aligned as its own
    assert t["x"].tolist() == x.tolist() and t["v"].untyped_storage().data_ptr() == t["x"].untyped_storage().data_ptr()


def test_unseekable_streams():
    class Stream:
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def read(self, n=-1):
            return self.data.read(n)

        def write(self, b):
            return self.data.write(b)

        def flush(self):
            pass

    out = Stream(b"")
    rustorch.save({"x": rustorch.arange(3)}, out)
    assert torch.load(io.BytesIO(out.data.getvalue()))["x"].tolist() == [0, 1, 2]
    assert rustorch.load(Stream(torch_bytes({"y": torch.ones(2)})))["y"].tolist() == [1.0, 1.0]


def test_pickle_protocol_and_weights_only_false():
    buf = io.BytesIO()
    rustorch.save({"x": rustorch.ones(2), "n": [1, "a"]}, buf, pickle_protocol=4)
    buf.seek(0)
    assert rustorch.load(buf)["n"] == [1, "a"]
    buf.seek(0)
    assert torch.load(buf, weights_only=False)["x"].tolist() == [1.0, 1.0]
    # arbitrary objects load with weights_only=False only
    buf = io.BytesIO()
    rustorch.save({"x": rustorch.ones(2), "frac": fractions.Fraction(1, 3)}, buf)
    buf.seek(0)
    with pytest.raises(UnpicklingError, match="fractions.Fraction.*weights_only=False"):
        rustorch.load(buf)
    buf.seek(0)
    got = rustorch.load(buf, weights_only=False)
    assert got["frac"] == fractions.Fraction(1, 3) and got["x"].tolist() == [1.0, 1.0]


@pytest.fixture
def cuda_file():
    """A torch checkpoint whose storage is tagged 'cuda:0' (torch's location tag), made without a GPU."""
    def edit(name, data):
        if name.endswith("data.pkl"):
            assert data.count(b"X\x03\x00\x00\x00cpu") == 1
            return data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
        return data
    x = torch.arange(3.0)
    return rewrite(torch_bytes({"w": x, "v": x[1:]}), edit)


@pytest.mark.parametrize("map_location", ["cpu", rustorch.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s,
                                          lambda s, loc: None if loc == "cpu" else s],
                         ids=["str", "device", "dict", "callable", "callable-or-none"])
def test_map_location_cuda_to_cpu(cuda_file, map_location):
    d = rustorch.load(io.BytesIO(cuda_file), map_location=map_location)
    assert d["w"].device == rustorch.device("cpu") and d["w"].tolist() == [0.0, 1.0, 2.0]
    assert d["v"]._storage is d["w"]._storage
    torch.testing.assert_close(torch.load(io.BytesIO(cuda_file), map_location="cpu")["w"], torch.arange(3.0))


def test_map_location_none_on_cpu_files_and_cuda_without_a_gpu(cuda_file):
    assert torch_to_rt(torch.ones(1), map_location=None).tolist() == [1.0]
    with pytest.raises(BackendUnavailableError, match=r"cuda:0.*map_location='cpu'"):
        rustorch.load(io.BytesIO(cuda_file))
    with pytest.raises(BackendUnavailableError, match="cuda"):
        rustorch.load(io.BytesIO(torch_bytes(torch.ones(1))), map_location="cuda:0")
    with pytest.raises(TypeError, match="map_location"):
        rustorch.load(io.BytesIO(torch_bytes(torch.ones(1))), map_location=3)
    with pytest.raises(AttributeError, match="cuda"):  # a map_location callable's own error, as torch raises it
        rustorch.load(io.BytesIO(cuda_file), map_location=lambda storage, loc: storage.cuda())


def test_big_endian_file():
    """A checkpoint written on a big-endian machine: the loader swaps each element's bytes, as torch's does."""
    values = {"f": torch.tensor([1.5, -2.0]), "c": torch.tensor([1 + 2j]),
              "b": torch.tensor([1.5], dtype=torch.bfloat16), "i": torch.tensor([1, 2 ** 40])}
    swap = {"0": np.float32, "1": np.complex64, "2": np.uint16, "3": np.int64}

    def edit(name, data):
        if name.endswith("byteorder"):
            return b"big"
        key = name.rsplit("/", 1)[-1]
        if "/data/" in name:
            return np.frombuffer(data, swap[key]).byteswap().tobytes()
        return data
    data = rewrite(torch_bytes(values), edit)
    got = rustorch.load(io.BytesIO(data))
    expected = torch.load(io.BytesIO(data))
    for k in values:
        assert_same(got[k], expected[k], rtol=0, atol=0)
        assert_same(got[k], values[k], rtol=0, atol=0)


# refusing malicious and corrupt files ----------------------------------------------------------------------------

class _System:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


class _Eval:
    def __reduce__(self):
        return eval, ("__import__('os').system('touch /nonexistent')",)


def test_malicious_pickle_refused_and_not_run(tmp_path):
    marker = tmp_path / "ran"
    data = torch_bytes({"w": torch.ones(2), "evil": _System(f"touch {marker}")})  # a zip laid out as torch's
    with pytest.raises(UnpicklingError, match=r"system.*weights_only=False") as e:
        rustorch.load(io.BytesIO(data))
    assert isinstance(e.value, SerializationError) and isinstance(e.value, pickle.UnpicklingError)
    assert isinstance(e.value, RuntimeError) and "load(<BytesIO>)" in str(e.value)
    path = tmp_path / "evil.pt"
    path.write_bytes(data)
    with pytest.raises(SerializationError, match="evil.pt"):
        rustorch.load(path)
    with pytest.raises(UnpicklingError, match="eval"):
        rustorch.load(io.BytesIO(torch_bytes([_Eval()])))
    assert not marker.exists()


@pytest.mark.parametrize("payload", [
    b"\x80\x02cposix\nsystem\nX\x04\x00\x00\x00trueq\x00\x85R.",  # GLOBAL + REDUCE
    b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x06system\x93\x8c\x04true\x85R.",  # STACK_GLOBAL
    b"(S'true'\nios\nsystem\n.",  # INST, protocol 0
    b"\x80\x02cbuiltins\ngetattr\n.",  # a dangerous builtin by name
    b"\x80\x02ccollections\nOrderedDict\n)R(}}X\x03\x00\x00\x00keyK\x01stb.",  # BUILD with slot state
    b"\x80\x02cbuiltins\nset\n)\x81}X\x01\x00\x00\x00aK\x01sb.",  # BUILD on a set
    b"\x80\x02X\x03\x00\x00\x00abcQ.",  # a persistent id that is not a storage
    b"\x80\x02cbuiltins\nbytearray\nK\x02\x85RK\x00K\x01s.",  # SETITEM on something not a dict
], ids=["global-reduce", "stack-global", "inst", "getattr", "build-tuple", "build-set", "persid", "setitem"])
def test_refused_pickles(payload):
    data = rewrite(torch_bytes(1), lambda name, d: payload if name.endswith("data.pkl") else d)
    with pytest.raises(UnpicklingError):
        rustorch.load(io.BytesIO(data))


def _out_of_bounds():
    storage = torch.arange(4.0).untyped_storage()

    class Big:
        def __reduce__(self):
            typed = torch.storage.TypedStorage(wrap_storage=storage, dtype=torch.float32, _internal=True)
            return torch._utils._rebuild_tensor_v2, (typed, 2, (3,), (1,), False, collections.OrderedDict())
    return torch_bytes({"t": Big()})


@pytest.mark.parametrize("make, match", [
    (lambda: b"", "empty"),
    (lambda: b"not a zip archive at all", "not a checkpoint"),
    (lambda: torch_bytes(torch.ones(100))[:300], "truncated"),
    (lambda: rewrite(torch_bytes(torch.ones(100)), lambda n, d: d[:-8] if "/data/" in n else d), "holds 392 bytes"),
    (lambda: rewrite(torch_bytes(torch.ones(100)), lambda n, d: None if "/data/" in n else d), "missing"),
    (lambda: rewrite(torch_bytes(torch.ones(3)), lambda n, d: None if n.endswith("data.pkl") else d), "data.pkl"),
    (lambda: rewrite(torch_bytes(torch.ones(3)), lambda n, d: d[:-5] if n.endswith("data.pkl") else d), "corrupt"),
    (_out_of_bounds, "reaches element 4"),
], ids=["empty", "not-zip", "truncated", "short-record", "missing-record", "no-pickle", "short-pickle",
        "out-of-bounds"])
def test_corrupt_files(make, match):
    with pytest.raises(SerializationError, match=match):
        rustorch.load(io.BytesIO(make()))


def test_bad_checksum_and_legacy_format():
    data = bytearray(torch_bytes(torch.zeros(16)))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("archive/data/0")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    data[info.header_offset + 30 + name_len + extra_len] = 1  # the storage's first byte
    with pytest.raises(SerializationError, match="CRC"):
        rustorch.load(io.BytesIO(bytes(data)))
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf, _use_new_zipfile_serialization=False)
    with pytest.raises(SerializationError, match="legacy"):
        rustorch.load(io.BytesIO(buf.getvalue()))


def test_bad_arguments():
    buf = io.BytesIO()
    with pytest.raises(TypeError, match="binary file"):
        rustorch.load(torch_bytes(1))
    with pytest.raises(TypeError, match="binary file"):
        rustorch.save(1, 3)
    with pytest.raises(SerializationError, match="legacy"):
        rustorch.save(1, buf, _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError, match="errors"):
        rustorch.load(io.BytesIO(torch_bytes(1)), errors="strict")
    assert rustorch.load(io.BytesIO(torch_bytes(1)), encoding="latin1") == 1
    with pytest.raises(ValueError, match="pickle_protocol"):
        rustorch.save(1, buf, pickle_protocol=1)
    with pytest.raises(ValueError, match="pickle_module"):
        rustorch.load(io.BytesIO(torch_bytes(1)), pickle_module=pickle, weights_only=True)
    assert rustorch.load(io.BytesIO(torch_bytes(1)), pickle_module=pickle) == 1  # weights_only=False, as torch
